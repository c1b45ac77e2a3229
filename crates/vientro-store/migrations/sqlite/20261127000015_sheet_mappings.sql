-- Column mappings of spreadsheets saved by name for reuse: which column of a province's list fills which field,
-- matched to a later sheet by header name.

CREATE TABLE sheet_mapping (
    name     TEXT NOT NULL PRIMARY KEY CHECK (length(trim(name)) > 0),
    mapping  TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
