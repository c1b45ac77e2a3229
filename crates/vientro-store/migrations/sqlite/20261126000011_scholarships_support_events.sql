-- More people-to-people and mobilisation records: scholarships a province grants to foreign students (FACTS Q7),
-- support a province gives abroad from its own budget (Q8), and aid-promotion events with their participants and
-- the pledges made there (C13), each pledge followable to the aid item it became.

CREATE TABLE scholarship_grant (
    id              INTEGER PRIMARY KEY,
    province_code   TEXT    NOT NULL,
    partner_country TEXT    NOT NULL,
    origin          TEXT    NOT NULL,
    year            INTEGER NOT NULL,
    students        INTEGER NOT NULL CHECK (students >= 0),
    amount_vnd      INTEGER NOT NULL CHECK (amount_vnd >= 0),
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TEXT    NOT NULL
);
CREATE INDEX scholarship_grant_province ON scholarship_grant (province_code, year);

CREATE TABLE outbound_support (
    id              INTEGER PRIMARY KEY,
    province_code   TEXT    NOT NULL,
    partner_country TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    given_on        TEXT    NOT NULL,
    amount_vnd      INTEGER NOT NULL CHECK (amount_vnd >= 0),
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TEXT    NOT NULL
);
CREATE INDEX outbound_support_province ON outbound_support (province_code, given_on);

CREATE TABLE promotion_event (
    id              INTEGER PRIMARY KEY,
    province_code   TEXT    NOT NULL,
    title           TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    held_on         TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    participants    INTEGER CHECK (participants >= 0),
    organisers      TEXT,
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TEXT    NOT NULL
);
CREATE INDEX promotion_event_province ON promotion_event (province_code, held_on);

CREATE TABLE event_pledge (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES promotion_event (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    usd_minor       INTEGER NOT NULL CHECK (usd_minor >= 0),
    aid_item_id     INTEGER REFERENCES aid_item (id),
    created_at      TEXT    NOT NULL
);
CREATE INDEX event_pledge_event ON event_pledge (event_id);
