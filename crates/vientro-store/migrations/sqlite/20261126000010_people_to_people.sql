-- People-to-people diplomacy kept by the friendship unions (FACTS Q5, Q6): friendship associations with their
-- member counts over time, and twinning pairs between border villages or communes and foreign counterparts.

CREATE TABLE friendship_association (
    id             INTEGER PRIMARY KEY,
    province_code  TEXT,
    name           TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    partner_country TEXT   NOT NULL,
    founded_on     TEXT,
    term           TEXT,
    leaders        TEXT,
    illustrative   BOOLEAN NOT NULL DEFAULT FALSE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX friendship_association_province ON friendship_association (province_code);

CREATE TABLE association_members (
    association_id INTEGER NOT NULL REFERENCES friendship_association (id),
    as_of          TEXT    NOT NULL,
    members        INTEGER NOT NULL CHECK (members >= 0),
    PRIMARY KEY (association_id, as_of)
);

CREATE TABLE twinning_pair (
    id              INTEGER PRIMARY KEY,
    province_code   TEXT    NOT NULL,
    local_name      TEXT    NOT NULL CHECK (length(trim(local_name)) > 0),
    local_level     TEXT    NOT NULL CHECK (local_level IN ('village', 'commune')),
    partner_country TEXT    NOT NULL,
    partner_name    TEXT    NOT NULL,
    partner_level   TEXT    NOT NULL CHECK (partner_level IN ('village', 'township', 'commune')),
    signed_on       TEXT    NOT NULL,
    agreed_points   TEXT,
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TEXT    NOT NULL
);
CREATE INDEX twinning_pair_province ON twinning_pair (province_code);
