-- vientro schema, SQLite dialect. Keep in step with ../postgres/ (same file names, same tables and columns).
-- Money: integer minor units plus currency; converted USD and VND minor units stored beside each amount with
-- the rate used (rates are exact decimals kept as text). Shares are basis points (100 % = 10000).

CREATE TABLE organisation (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('foreign_ngo', 'individual', 'foreign_agency', 'international_org',
                                                     'vn_managing_agency', 'vn_project_owner', 'vn_department', 'vn_other')),
    name            TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    name_vi         TEXT,
    acronym         TEXT,
    country_code    TEXT,
    province_code   TEXT,
    iati_identifier TEXT,
    name_key        TEXT    NOT NULL,
    search_text     TEXT    NOT NULL,
    sort_key        TEXT    NOT NULL,
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    version         INTEGER NOT NULL DEFAULT 1,
    archived_at     TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX organisation_name_kind_key ON organisation (name_key, kind);
CREATE UNIQUE INDEX organisation_iati_identifier_key ON organisation (iati_identifier);
CREATE INDEX organisation_sort ON organisation (sort_key);

CREATE TABLE organisation_sector (
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    sector_code     TEXT    NOT NULL,
    PRIMARY KEY (organisation_id, sector_code)
);

CREATE TABLE certificate (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('operation', 'representative_office', 'project_office')),
    number          TEXT    NOT NULL,
    legal_basis     TEXT    NOT NULL CHECK (legal_basis IN ('nd58_2022', 'nd12_2012')),
    issued_on       TEXT    NOT NULL,
    valid_from      TEXT    NOT NULL,
    valid_to        TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('active', 'suspended', 'expired', 'terminated', 'revoked', 'self_terminated')),
    office_city     TEXT,
    illustrative    BOOLEAN NOT NULL DEFAULT FALSE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    CHECK (valid_from <= valid_to)
);
CREATE UNIQUE INDEX certificate_kind_number_key ON certificate (kind, number);
CREATE INDEX certificate_organisation ON certificate (organisation_id);

CREATE TABLE certificate_province (
    certificate_id INTEGER NOT NULL REFERENCES certificate (id),
    province_code  TEXT    NOT NULL,
    unit_set       TEXT    NOT NULL CHECK (unit_set IN ('pre2025', 'from2025')),
    PRIMARY KEY (certificate_id, province_code, unit_set)
);

CREATE TABLE certificate_sector (
    certificate_id INTEGER NOT NULL REFERENCES certificate (id),
    sector_code    TEXT    NOT NULL,
    PRIMARY KEY (certificate_id, sector_code)
);

CREATE TABLE province_registration (
    id                     INTEGER PRIMARY KEY,
    organisation_id        INTEGER NOT NULL REFERENCES organisation (id),
    province_code          TEXT    NOT NULL,
    current_province_code  TEXT    NOT NULL,
    region                 TEXT    NOT NULL,
    year                   INTEGER NOT NULL CHECK (year BETWEEN 1980 AND 2200),
    registered_on          TEXT,
    note                   TEXT,
    illustrative           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at             TEXT    NOT NULL
);
CREATE UNIQUE INDEX province_registration_key ON province_registration (organisation_id, province_code, year);
CREATE INDEX province_registration_current ON province_registration (current_province_code, year);

CREATE TABLE aid_item (
    id                          INTEGER PRIMARY KEY,
    code                        TEXT,
    iati_identifier             TEXT,
    title                       TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    title_en                    TEXT,
    description                 TEXT,
    kind                        TEXT    NOT NULL CHECK (kind IN ('programme', 'project', 'non_project', 'emergency')),
    supplements_item_id         INTEGER REFERENCES aid_item (id),
    managing_agency_id          INTEGER REFERENCES organisation (id),
    project_owner_id            INTEGER REFERENCES organisation (id),
    status                      TEXT    NOT NULL,
    legal_basis                 TEXT,
    approval_decision_number    TEXT,
    approval_decision_date      TEXT,
    approval_level              TEXT CHECK (approval_level IN ('province', 'central_ministry', 'prime_minister')),
    decision_currency_per_usd   TEXT,
    decision_vnd_per_usd        TEXT,
    start_date                  TEXT,
    end_date                    TEXT,
    beneficiaries_ethnic_minority INTEGER CHECK (beneficiaries_ethnic_minority >= 0),
    beneficiaries_women         INTEGER CHECK (beneficiaries_women >= 0),
    beneficiaries_children      INTEGER CHECK (beneficiaries_children >= 0),
    beneficiaries_disabled      INTEGER CHECK (beneficiaries_disabled >= 0),
    beneficiaries_poor_households INTEGER CHECK (beneficiaries_poor_households >= 0),
    search_text                 TEXT    NOT NULL,
    illustrative                BOOLEAN NOT NULL DEFAULT FALSE,
    published                   BOOLEAN NOT NULL DEFAULT FALSE,
    imported_from               TEXT,
    version                     INTEGER NOT NULL DEFAULT 1,
    archived_at                 TEXT,
    created_at                  TEXT    NOT NULL,
    updated_at                  TEXT    NOT NULL,
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);
CREATE UNIQUE INDEX aid_item_code_key ON aid_item (code);
CREATE UNIQUE INDEX aid_item_iati_identifier_key ON aid_item (iati_identifier);
CREATE INDEX aid_item_status ON aid_item (status);
CREATE INDEX aid_item_supplements ON aid_item (supplements_item_id);

CREATE TABLE aid_item_donor (
    item_id         INTEGER NOT NULL REFERENCES aid_item (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    share_bp        INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
    PRIMARY KEY (item_id, organisation_id)
);
CREATE INDEX aid_item_donor_organisation ON aid_item_donor (organisation_id);

CREATE TABLE aid_item_sector (
    item_id     INTEGER NOT NULL REFERENCES aid_item (id),
    sector_code TEXT    NOT NULL,
    share_bp    INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
    PRIMARY KEY (item_id, sector_code)
);

CREATE TABLE aid_item_location (
    id                     INTEGER PRIMARY KEY,
    item_id                INTEGER NOT NULL REFERENCES aid_item (id),
    position               INTEGER NOT NULL,
    recorded_unit_set      TEXT    NOT NULL CHECK (recorded_unit_set IN ('pre2025', 'from2025')),
    recorded_province_code TEXT    NOT NULL,
    recorded_district_code TEXT,
    recorded_commune_code  TEXT,
    current_province_code  TEXT    NOT NULL,
    current_commune_code   TEXT,
    commune_override       BOOLEAN NOT NULL DEFAULT FALSE,
    share_bp               INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000)
);
CREATE INDEX aid_item_location_item ON aid_item_location (item_id);
CREATE INDEX aid_item_location_current ON aid_item_location (current_province_code);
CREATE INDEX aid_item_location_recorded ON aid_item_location (recorded_province_code);

CREATE TABLE aid_item_status_change (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES aid_item (id),
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    changed_on  TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    note        TEXT,
    recorded_at TEXT    NOT NULL
);
CREATE INDEX aid_item_status_change_item ON aid_item_status_change (item_id);

CREATE TABLE flow (
    id                INTEGER PRIMARY KEY,
    item_id           INTEGER NOT NULL REFERENCES aid_item (id),
    kind              TEXT    NOT NULL CHECK (kind IN ('commitment', 'disbursement')),
    stage             TEXT    NOT NULL CHECK (stage IN ('planned', 'actual')),
    flow_date         TEXT    NOT NULL,
    amount_minor      INTEGER NOT NULL CONSTRAINT flow_amount_non_negative CHECK (amount_minor >= 0),
    currency          TEXT    NOT NULL,
    usd_minor         INTEGER NOT NULL,
    vnd_minor         INTEGER NOT NULL,
    currency_per_usd  TEXT    NOT NULL,
    vnd_per_usd       TEXT    NOT NULL,
    rate_date         TEXT    NOT NULL,
    rate_source       TEXT    NOT NULL,
    provider_id       INTEGER REFERENCES organisation (id),
    note              TEXT,
    created_at        TEXT    NOT NULL
);
CREATE INDEX flow_item ON flow (item_id);
CREATE INDEX flow_date_kind ON flow (flow_date, kind, stage);

CREATE TABLE exchange_rate (
    id            INTEGER PRIMARY KEY,
    currency      TEXT NOT NULL,
    period_kind   TEXT NOT NULL CHECK (period_kind IN ('day', 'month', 'year')),
    period_start  TEXT NOT NULL,
    units_per_usd TEXT NOT NULL,
    source        TEXT NOT NULL,
    note          TEXT,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX exchange_rate_key ON exchange_rate (currency, period_kind, period_start);

CREATE TABLE audit_event (
    id          INTEGER PRIMARY KEY,
    occurred_at TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_id   INTEGER,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_event_entity ON audit_event (entity, entity_id);

-- One row that every audit append updates first: on PostgreSQL the row lock serialises appenders so the
-- hash chain cannot fork; SQLite's write lock already does.
CREATE TABLE audit_head (
    id      INTEGER PRIMARY KEY,
    appends INTEGER NOT NULL
);
INSERT INTO audit_head (id, appends) VALUES (1, 0);

-- Small key/value facts about this database (e.g. which demonstration data set was loaded).
CREATE TABLE app_setting (
    key        TEXT NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Report facts (docs/adr/0003-report-definitions.md), rebuilt for an item whenever the item or its flows
-- change, in the same transaction. item_cell: the item divided over its locations x sectors x donors.
-- flow_share: each ACTUAL flow divided over those cells with the largest-remainder method, so the parts
-- of a flow add up to it exactly in every unit. Dimensions are copied in so reports need no joins.
CREATE TABLE item_cell (
    item_id            INTEGER NOT NULL REFERENCES aid_item (id),
    cell               INTEGER NOT NULL,
    province           TEXT,
    province_recorded  TEXT,
    region             TEXT,
    commune            TEXT,
    commune_recorded   TEXT,
    sector             TEXT,
    sector_category    TEXT,
    donor_id           INTEGER NOT NULL,
    donor_kind         TEXT    NOT NULL,
    donor_country      TEXT,
    item_kind          TEXT    NOT NULL,
    approval_level     TEXT,
    approval_date      TEXT,
    PRIMARY KEY (item_id, cell)
);
CREATE INDEX item_cell_province ON item_cell (province);
CREATE INDEX item_cell_province_recorded ON item_cell (province_recorded);
CREATE INDEX item_cell_approval_date ON item_cell (approval_date);

CREATE TABLE flow_share (
    flow_id            INTEGER NOT NULL REFERENCES flow (id),
    cell               INTEGER NOT NULL,
    item_id            INTEGER NOT NULL REFERENCES aid_item (id),
    kind               TEXT    NOT NULL,
    flow_date          TEXT    NOT NULL,
    year               INTEGER NOT NULL,
    half               INTEGER NOT NULL,
    province           TEXT,
    province_recorded  TEXT,
    region             TEXT,
    commune            TEXT,
    commune_recorded   TEXT,
    sector             TEXT,
    sector_category    TEXT,
    donor_id           INTEGER NOT NULL,
    donor_kind         TEXT    NOT NULL,
    donor_country      TEXT,
    item_kind          TEXT    NOT NULL,
    approval_level     TEXT,
    currency           TEXT    NOT NULL,
    amount_minor       INTEGER NOT NULL,
    usd_minor          INTEGER NOT NULL,
    vnd_minor          INTEGER NOT NULL,
    PRIMARY KEY (flow_id, cell)
);
CREATE INDEX flow_share_item ON flow_share (item_id);
CREATE INDEX flow_share_date ON flow_share (flow_date);
CREATE INDEX flow_share_province_date ON flow_share (province, flow_date);
CREATE INDEX flow_share_recorded_date ON flow_share (province_recorded, flow_date);

-- Sums of flow_share by the dimensions national and provincial overviews use, kept exact by refresh_item
-- (it subtracts an item's old shares and adds the new ones in the same transaction). Unknown keys are ''
-- so that the unique key can match them. Used only for questions that are sums over whole half-years.
CREATE TABLE flow_rollup (
    year              INTEGER NOT NULL,
    half              INTEGER NOT NULL,
    province          TEXT    NOT NULL,
    province_recorded TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    donor_kind        TEXT    NOT NULL,
    item_kind         TEXT    NOT NULL,
    approval_level    TEXT    NOT NULL,
    currency          TEXT    NOT NULL,
    committed_usd     INTEGER NOT NULL,
    committed_vnd     INTEGER NOT NULL,
    disbursed_usd     INTEGER NOT NULL,
    disbursed_vnd     INTEGER NOT NULL,
    committed_amount  INTEGER NOT NULL,
    disbursed_amount  INTEGER NOT NULL,
    shares            INTEGER NOT NULL
);
CREATE UNIQUE INDEX flow_rollup_key ON flow_rollup (year, half, province, province_recorded, region, donor_kind, item_kind, approval_level, currency);
CREATE INDEX aid_item_status_change_item_date ON aid_item_status_change (item_id, changed_on);
