-- Periodic reports the watch list follows: foreign NGOs' annual reports (Decree 58/2022, Mẫu 05) and provinces'
-- six-month and annual reports on foreign NGO aid to the centre. A row records that a report was received.

CREATE TABLE ngo_annual_report (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    year            INTEGER NOT NULL,
    submitted_on    TEXT    NOT NULL,
    note            TEXT,
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX ngo_annual_report_key ON ngo_annual_report (organisation_id, year);

CREATE TABLE province_report (
    id            INTEGER PRIMARY KEY,
    province_code TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    year          INTEGER NOT NULL,
    submitted_on  TEXT    NOT NULL,
    note          TEXT,
    illustrative  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX province_report_key ON province_report (province_code, kind, year);
