-- National sums by sector and by donor (no province key): at a million items the provincial tables of
-- 20261126000004 hold millions of rows, these a few hundred thousand, so national charts over all years
-- stay fast. donor_year keeps rows only while they have shares (zero rows are deleted as items change), and
-- an index lets distinct counts of donors read it in order. Filled from the stored flow shares; indexes by
-- province for the province dashboards.

CREATE TABLE flow_rollup_sector_national (
    year              BIGINT NOT NULL,
    half              BIGINT NOT NULL,
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
CREATE UNIQUE INDEX flow_rollup_sector_national_key ON flow_rollup_sector_national (year, half, sector, sector_category, currency);

CREATE TABLE flow_rollup_donor_national (
    year              BIGINT NOT NULL,
    half              BIGINT NOT NULL,
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
CREATE UNIQUE INDEX flow_rollup_donor_national_key ON flow_rollup_donor_national (year, half, donor_id, donor_kind, donor_country, currency);

INSERT INTO flow_rollup_sector_national (year, half, sector, sector_category, currency, committed_usd, committed_vnd,
    disbursed_usd, disbursed_vnd, committed_amount, disbursed_amount, shares)
SELECT year, half, sector, sector_category, currency, SUM(committed_usd), SUM(committed_vnd), SUM(disbursed_usd),
    SUM(disbursed_vnd), SUM(committed_amount), SUM(disbursed_amount), SUM(shares)
FROM flow_rollup_sector
GROUP BY year, half, sector, sector_category, currency;

INSERT INTO flow_rollup_donor_national (year, half, donor_id, donor_kind, donor_country, currency, committed_usd,
    committed_vnd, disbursed_usd, disbursed_vnd, committed_amount, disbursed_amount, shares)
SELECT year, half, donor_id, donor_kind, donor_country, currency, SUM(committed_usd), SUM(committed_vnd),
    SUM(disbursed_usd), SUM(disbursed_vnd), SUM(committed_amount), SUM(disbursed_amount), SUM(shares)
FROM flow_rollup_donor
GROUP BY year, half, donor_id, donor_kind, donor_country, currency;

DELETE FROM donor_year WHERE shares = 0;
CREATE INDEX donor_year_donor ON donor_year (donor_id, year);

-- Province dashboards filter the provincial sum tables by province over a few years.
CREATE INDEX flow_rollup_province ON flow_rollup (province, year, half);
CREATE INDEX flow_rollup_sector_province ON flow_rollup_sector (province, year, half);
CREATE INDEX flow_rollup_donor_province ON flow_rollup_donor (province, year, half);
CREATE INDEX item_year_province ON item_year (province, item_id);
CREATE INDEX donor_year_province ON donor_year (province, donor_id);

-- The smallest sums: national by half-year, and by place (today's province, as recorded, region) for the map
-- and the rankings. Every dashboard asks for them.
CREATE TABLE flow_rollup_national (
    year              BIGINT NOT NULL,
    half              BIGINT NOT NULL,
    currency          TEXT    NOT NULL,
    committed_usd     BIGINT NOT NULL,
    committed_vnd     BIGINT NOT NULL,
    disbursed_usd     BIGINT NOT NULL,
    disbursed_vnd     BIGINT NOT NULL,
    committed_amount  BIGINT NOT NULL,
    disbursed_amount  BIGINT NOT NULL,
    shares            BIGINT NOT NULL
);
CREATE UNIQUE INDEX flow_rollup_national_key ON flow_rollup_national (year, half, currency);

CREATE TABLE flow_rollup_place (
    year              BIGINT NOT NULL,
    half              BIGINT NOT NULL,
    province          TEXT    NOT NULL,
    province_recorded TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    currency          TEXT    NOT NULL,
    committed_usd     BIGINT NOT NULL,
    committed_vnd     BIGINT NOT NULL,
    disbursed_usd     BIGINT NOT NULL,
    disbursed_vnd     BIGINT NOT NULL,
    committed_amount  BIGINT NOT NULL,
    disbursed_amount  BIGINT NOT NULL,
    shares            BIGINT NOT NULL
);
CREATE UNIQUE INDEX flow_rollup_place_key ON flow_rollup_place (year, half, province, province_recorded, region, currency);

INSERT INTO flow_rollup_national (year, half, currency, committed_usd, committed_vnd, disbursed_usd, disbursed_vnd,
    committed_amount, disbursed_amount, shares)
SELECT year, half, currency, SUM(committed_usd), SUM(committed_vnd), SUM(disbursed_usd), SUM(disbursed_vnd),
    SUM(committed_amount), SUM(disbursed_amount), SUM(shares)
FROM flow_rollup
GROUP BY year, half, currency;

INSERT INTO flow_rollup_place (year, half, province, province_recorded, region, currency, committed_usd, committed_vnd,
    disbursed_usd, disbursed_vnd, committed_amount, disbursed_amount, shares)
SELECT year, half, province, province_recorded, region, currency, SUM(committed_usd), SUM(committed_vnd),
    SUM(disbursed_usd), SUM(disbursed_vnd), SUM(committed_amount), SUM(disbursed_amount), SUM(shares)
FROM flow_rollup
GROUP BY year, half, province, province_recorded, region, currency;
