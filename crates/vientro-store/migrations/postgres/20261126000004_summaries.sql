-- More summary tables beside flow_rollup (see crates/vientro-store/src/summaries.rs), kept exact by the
-- same rebuild of an item's facts: sums by sector and by donor, and which items and donors have flow shares
-- in which year and province, so national overviews and their distinct counts read small tables. Unknown
-- keys are ''. Each table is filled from the flow shares already stored.

CREATE TABLE flow_rollup_sector (
    year              BIGINT NOT NULL,
    half              BIGINT NOT NULL,
    province          TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    sector            TEXT    NOT NULL,
    sector_category   TEXT    NOT NULL,
    currency          TEXT    NOT NULL,
    committed_usd     BIGINT NOT NULL,
    committed_vnd     BIGINT NOT NULL,
    disbursed_usd     BIGINT NOT NULL,
    disbursed_vnd     BIGINT NOT NULL,
    committed_amount  BIGINT NOT NULL,
    disbursed_amount  BIGINT NOT NULL,
    shares            BIGINT NOT NULL
);
CREATE UNIQUE INDEX flow_rollup_sector_key ON flow_rollup_sector (year, half, province, region, sector, sector_category, currency);

CREATE TABLE flow_rollup_donor (
    year              BIGINT NOT NULL,
    half              BIGINT NOT NULL,
    province          TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    donor_id          BIGINT NOT NULL,
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
CREATE UNIQUE INDEX flow_rollup_donor_key ON flow_rollup_donor (year, half, province, region, donor_id, donor_kind, donor_country, currency);

CREATE TABLE item_year (
    year      BIGINT NOT NULL,
    province  TEXT    NOT NULL,
    item_id   BIGINT NOT NULL,
    shares    BIGINT NOT NULL,
    PRIMARY KEY (year, province, item_id)
);
CREATE INDEX item_year_item ON item_year (item_id, year);

CREATE TABLE donor_year (
    year      BIGINT NOT NULL,
    province  TEXT    NOT NULL,
    donor_id  BIGINT NOT NULL,
    shares    BIGINT NOT NULL,
    PRIMARY KEY (year, province, donor_id)
);

INSERT INTO flow_rollup_sector (year, half, province, region, sector, sector_category, currency, committed_usd,
    committed_vnd, disbursed_usd, disbursed_vnd, committed_amount, disbursed_amount, shares)
SELECT year, half, COALESCE(province, ''), COALESCE(region, ''), COALESCE(sector, ''), COALESCE(sector_category, ''),
    currency,
    CAST(COALESCE(SUM(CASE WHEN kind = 'commitment' THEN usd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'commitment' THEN vnd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'disbursement' THEN usd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'disbursement' THEN vnd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'commitment' THEN amount_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'disbursement' THEN amount_minor END), 0) AS BIGINT),
    COUNT(*)
FROM flow_share
GROUP BY year, half, COALESCE(province, ''), COALESCE(region, ''), COALESCE(sector, ''), COALESCE(sector_category, ''),
    currency;

INSERT INTO flow_rollup_donor (year, half, province, region, donor_id, donor_kind, donor_country, currency,
    committed_usd, committed_vnd, disbursed_usd, disbursed_vnd, committed_amount, disbursed_amount, shares)
SELECT year, half, COALESCE(province, ''), COALESCE(region, ''), donor_id, COALESCE(donor_kind, ''),
    COALESCE(donor_country, ''), currency,
    CAST(COALESCE(SUM(CASE WHEN kind = 'commitment' THEN usd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'commitment' THEN vnd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'disbursement' THEN usd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'disbursement' THEN vnd_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'commitment' THEN amount_minor END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN kind = 'disbursement' THEN amount_minor END), 0) AS BIGINT),
    COUNT(*)
FROM flow_share
GROUP BY year, half, COALESCE(province, ''), COALESCE(region, ''), donor_id, COALESCE(donor_kind, ''),
    COALESCE(donor_country, ''), currency;

INSERT INTO item_year (year, province, item_id, shares)
SELECT year, COALESCE(province, ''), item_id, COUNT(*) FROM flow_share GROUP BY year, COALESCE(province, ''), item_id;

INSERT INTO donor_year (year, province, donor_id, shares)
SELECT year, COALESCE(province, ''), donor_id, COUNT(*) FROM flow_share GROUP BY year, COALESCE(province, ''), donor_id;
