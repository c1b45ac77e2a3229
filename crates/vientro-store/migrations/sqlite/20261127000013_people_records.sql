-- People-to-people records become editable and gain the lists they own: each record kind keeps a version
-- (a stale edit is refused) and the time it was last changed; associations list their members (people and
-- organisations), twinning pairs their activities, delegations their members; trainings and other events are
-- kept with their participants.

ALTER TABLE twinning_pair ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE twinning_pair ADD COLUMN updated_at TEXT;
UPDATE twinning_pair SET updated_at = created_at;
ALTER TABLE delegation ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE delegation ADD COLUMN updated_at TEXT;
UPDATE delegation SET updated_at = created_at;
ALTER TABLE scholarship_grant ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE scholarship_grant ADD COLUMN updated_at TEXT;
UPDATE scholarship_grant SET updated_at = created_at;
ALTER TABLE outbound_support ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE outbound_support ADD COLUMN updated_at TEXT;
UPDATE outbound_support SET updated_at = created_at;
-- When a member count was entered (counts entered before this migration have none).
ALTER TABLE association_members ADD COLUMN created_at TEXT;

CREATE TABLE association_membership (
    id             INTEGER PRIMARY KEY,
    association_id INTEGER NOT NULL REFERENCES friendship_association (id),
    member_kind    TEXT    NOT NULL CHECK (member_kind IN ('person', 'organisation')),
    name           TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    role           TEXT,
    joined_on      TEXT,
    left_on        TEXT,
    created_at     TEXT    NOT NULL
);
CREATE INDEX association_membership_association ON association_membership (association_id);

CREATE TABLE twinning_activity (
    id          INTEGER PRIMARY KEY,
    twinning_id INTEGER NOT NULL REFERENCES twinning_pair (id),
    held_on     TEXT    NOT NULL,
    title       TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX twinning_activity_twinning ON twinning_activity (twinning_id);

CREATE TABLE delegation_member (
    id            INTEGER PRIMARY KEY,
    delegation_id INTEGER NOT NULL REFERENCES delegation (id),
    name          TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    role          TEXT,
    organisation  TEXT,
    created_at    TEXT    NOT NULL
);
CREATE INDEX delegation_member_delegation ON delegation_member (delegation_id);

CREATE TABLE people_event (
    id              INTEGER PRIMARY KEY,
    province_code   TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('training', 'exchange', 'culture', 'conference', 'other')),
    title           TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    starts_on       TEXT    NOT NULL,
    ends_on         TEXT,
    place           TEXT,
    partner_country TEXT,
    organisers      TEXT,
    outcomes        TEXT,
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT
);
CREATE INDEX people_event_province ON people_event (province_code, starts_on);

CREATE TABLE people_event_participant (
    id               INTEGER PRIMARY KEY,
    event_id         INTEGER NOT NULL REFERENCES people_event (id),
    participant_kind TEXT    NOT NULL CHECK (participant_kind IN ('person', 'organisation')),
    name             TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    country          TEXT,
    role             TEXT,
    created_at       TEXT    NOT NULL
);
CREATE INDEX people_event_participant_event ON people_event_participant (event_id);
