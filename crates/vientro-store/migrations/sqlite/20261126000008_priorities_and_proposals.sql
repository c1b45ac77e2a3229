-- A province's priority sectors for mobilising foreign NGO aid, per period (FACTS C9), and its call-for-aid
-- list (danh mục dự án kêu gọi viện trợ): proposals seeking funding, followed to the aid item they became.
-- Matching reads both.

CREATE TABLE province_priority (
    id            INTEGER PRIMARY KEY,
    province_code TEXT    NOT NULL,
    from_year     INTEGER NOT NULL,
    to_year       INTEGER NOT NULL,
    sector_code   TEXT    NOT NULL,
    position      INTEGER NOT NULL,
    source        TEXT,
    illustrative  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL,
    CHECK (from_year <= to_year)
);
CREATE UNIQUE INDEX province_priority_key ON province_priority (province_code, from_year, sector_code);

CREATE TABLE aid_proposal (
    id                  INTEGER PRIMARY KEY,
    province_code       TEXT    NOT NULL,
    title               TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    sector_code         TEXT    NOT NULL,
    communes            TEXT,
    beneficiaries       INTEGER CHECK (beneficiaries >= 0),
    estimated_usd_minor INTEGER CHECK (estimated_usd_minor >= 0),
    status              TEXT    NOT NULL CHECK (status IN ('listed', 'matched', 'dossier', 'approved', 'funded', 'withdrawn')),
    aid_item_id         INTEGER REFERENCES aid_item (id),
    illustrative        BOOLEAN NOT NULL DEFAULT FALSE,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
CREATE INDEX aid_proposal_province ON aid_proposal (province_code, status);
