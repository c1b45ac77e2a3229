-- Two more small summaries for the national dashboard over all years: sums by donor country (a few thousand
-- rows, where the national donor table holds hundreds of thousands), and the items that have flow shares at
-- all (one row each), so "items, all years, whole country" is a count of rows rather than a distinct count
-- over every item's years. Filled from the summaries already stored.

CREATE TABLE flow_rollup_country (
    year              BIGINT NOT NULL,
    half              BIGINT NOT NULL,
    donor_kind        TEXT    NOT NULL,
    donor_country     TEXT    NOT NULL,
    currency          TEXT    NOT NULL,
    committed_usd     BIGINT NOT NULL,
    committed_vnd     BIGINT NOT NULL,
    disbursed_usd     BIGINT NOT NULL,
    disbursed_vnd     BIGINT NOT NULL,
    committed_amount  BIGINT NOT NULL,
    disbursed_amount  BIGINT NOT NULL,
    shares            BIGINT NOT NULL
);
CREATE UNIQUE INDEX flow_rollup_country_key ON flow_rollup_country (year, half, donor_kind, donor_country, currency);

INSERT INTO flow_rollup_country (year, half, donor_kind, donor_country, currency, committed_usd, committed_vnd,
    disbursed_usd, disbursed_vnd, committed_amount, disbursed_amount, shares)
SELECT year, half, donor_kind, donor_country, currency, SUM(committed_usd), SUM(committed_vnd), SUM(disbursed_usd),
    SUM(disbursed_vnd), SUM(committed_amount), SUM(disbursed_amount), SUM(shares)
FROM flow_rollup_donor_national
GROUP BY year, half, donor_kind, donor_country, currency;

CREATE TABLE item_with_shares (
    item_id BIGINT NOT NULL PRIMARY KEY
);
INSERT INTO item_with_shares (item_id) SELECT DISTINCT item_id FROM item_year;
