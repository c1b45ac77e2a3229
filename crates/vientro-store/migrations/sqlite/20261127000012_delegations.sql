-- Delegations in and out (đoàn vào, đoàn ra) of a province's people-to-people work: where from or to, when, how
-- many, what for and what came of it, and the day the trip report of an outgoing delegation was received (it is
-- due a number of days after the return that the watch rules set).

CREATE TABLE delegation (
    id            INTEGER PRIMARY KEY,
    province_code TEXT    NOT NULL,
    direction     TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    country       TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    starts_on     TEXT    NOT NULL,
    ends_on       TEXT    NOT NULL,
    members       INTEGER NOT NULL CHECK (members >= 0),
    leader        TEXT,
    outcomes      TEXT,
    report_on     TEXT,
    illustrative  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL
);
CREATE INDEX delegation_province ON delegation (province_code, starts_on);
