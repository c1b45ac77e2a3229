-- vientro schema, PostgreSQL dialect: what an IATI activity carries that aid_item and flow do not. Keep in step
-- with ../sqlite/ (same file name, same tables and columns).
-- Written and read only by vientro-store::iati for the IATI importer and exporter. Every row hangs off an
-- aid_item; `position` keeps the order of the file so an export reproduces it. Amounts are kept twice: the
-- exact decimal text as published (value_text, for export) and, when the currency is known, minor units.
-- Dates are calendar dates; codes are kept as published (withdrawn codes included).

-- One row per aid item that came from an IATI activity: the identifier it is upserted by, where it was read
-- last, and the hash of what was read, so a re-import of an unchanged activity changes nothing.
CREATE TABLE iati_activity (
    item_id                   BIGINT NOT NULL PRIMARY KEY REFERENCES aid_item (id),
    identifier                TEXT    NOT NULL,
    source_file               TEXT    NOT NULL,
    source_line               BIGINT NOT NULL,
    iati_version              TEXT,
    default_currency          TEXT,
    lang                      TEXT,
    status_code               TEXT,
    reporting_org_ref         TEXT,
    reporting_org_type        TEXT,
    reporting_organisation_id BIGINT REFERENCES organisation (id),
    country_filter            TEXT,
    country_share_bp          BIGINT NOT NULL,
    content_hash              TEXT    NOT NULL,
    imported_at               TIMESTAMPTZ    NOT NULL,
    updated_at                TIMESTAMPTZ    NOT NULL,
    CONSTRAINT iati_activity_country_share_range CHECK (country_share_bp BETWEEN 0 AND 10000),
    CONSTRAINT iati_activity_identifier_not_blank CHECK (length(btrim(identifier)) > 0)
);
CREATE UNIQUE INDEX iati_activity_identifier_key ON iati_activity (identifier);

-- activity-date: ActivityDateType code 1-4 and the date.
CREATE TABLE aid_item_iati_date (
    item_id   BIGINT NOT NULL REFERENCES aid_item (id),
    position  BIGINT NOT NULL,
    date_type TEXT    NOT NULL,
    iso_date  DATE    NOT NULL,
    CONSTRAINT aid_item_iati_date_pkey PRIMARY KEY (item_id, position)
);

-- Every narrative of the activity, in every language: field names the element that owns it, part and sub
-- its place (description number, participant number, transaction and sector numbers, ...).
CREATE TABLE aid_item_narrative (
    item_id  BIGINT NOT NULL REFERENCES aid_item (id),
    field    TEXT    NOT NULL,
    part     BIGINT NOT NULL,
    sub      BIGINT NOT NULL,
    position BIGINT NOT NULL,
    kind     TEXT,
    lang     TEXT,
    content  TEXT    NOT NULL,
    CONSTRAINT aid_item_narrative_pkey PRIMARY KEY (item_id, field, part, sub, position),
    CONSTRAINT aid_item_narrative_field CHECK (field IN ('title', 'description', 'reporting_org', 'participant',
        'sector', 'location_name', 'planned_provider', 'planned_receiver', 'transaction_description',
        'transaction_provider', 'transaction_receiver', 'transaction_sector'))
);

-- participating-org, matched to an organisation when one is known or was created.
CREATE TABLE aid_item_participant (
    item_id         BIGINT NOT NULL REFERENCES aid_item (id),
    position        BIGINT NOT NULL,
    role            TEXT,
    org_ref         TEXT,
    org_type        TEXT,
    activity_id     TEXT,
    organisation_id BIGINT REFERENCES organisation (id),
    CONSTRAINT aid_item_participant_pkey PRIMARY KEY (item_id, position)
);
CREATE INDEX aid_item_participant_organisation ON aid_item_participant (organisation_id);

-- recipient-country and recipient-region with their percentages (exact decimal text).
CREATE TABLE aid_item_recipient (
    item_id    BIGINT NOT NULL REFERENCES aid_item (id),
    position   BIGINT NOT NULL,
    scope      TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    vocabulary TEXT,
    percentage TEXT,
    CONSTRAINT aid_item_recipient_pkey PRIMARY KEY (item_id, position),
    CONSTRAINT aid_item_recipient_scope CHECK (scope IN ('country', 'region'))
);

-- sector of every vocabulary, of the activity (transaction_position -1) or of one transaction.
CREATE TABLE aid_item_iati_sector (
    item_id              BIGINT NOT NULL REFERENCES aid_item (id),
    transaction_position BIGINT NOT NULL,
    position             BIGINT NOT NULL,
    vocabulary           TEXT    NOT NULL,
    code                 TEXT,
    percentage           TEXT,
    CONSTRAINT aid_item_iati_sector_pkey PRIMARY KEY (item_id, transaction_position, position)
);

-- location as published (point as exact decimal text) and the province and commune it was resolved to.
CREATE TABLE aid_item_iati_location (
    item_id       BIGINT NOT NULL REFERENCES aid_item (id),
    position      BIGINT NOT NULL,
    location_ref  TEXT,
    latitude      TEXT,
    longitude     TEXT,
    province_code TEXT,
    commune_code  TEXT,
    resolved_by   TEXT,
    CONSTRAINT aid_item_iati_location_pkey PRIMARY KEY (item_id, position),
    CONSTRAINT aid_item_iati_location_resolved_by CHECK (resolved_by IN ('point', 'name'))
);

-- location-id and administrative codes of a location (GeoNames ids and other gazetteers).
CREATE TABLE aid_item_iati_location_code (
    item_id           BIGINT NOT NULL REFERENCES aid_item (id),
    location_position BIGINT NOT NULL,
    position          BIGINT NOT NULL,
    scope             TEXT    NOT NULL,
    vocabulary        TEXT,
    level             BIGINT,
    code              TEXT    NOT NULL,
    CONSTRAINT aid_item_iati_location_code_pkey PRIMARY KEY (item_id, location_position, position),
    CONSTRAINT aid_item_iati_location_code_scope CHECK (scope IN ('location_id', 'administrative'))
);

CREATE TABLE aid_item_budget (
    item_id      BIGINT NOT NULL REFERENCES aid_item (id),
    position     BIGINT NOT NULL,
    budget_type  TEXT,
    status       TEXT,
    period_start DATE    NOT NULL,
    period_end   DATE    NOT NULL,
    value_text   TEXT    NOT NULL,
    currency     TEXT,
    value_date   DATE,
    amount_minor BIGINT,
    CONSTRAINT aid_item_budget_pkey PRIMARY KEY (item_id, position),
    CONSTRAINT aid_item_budget_amount_non_negative CHECK (amount_minor >= 0)
);

CREATE TABLE aid_item_planned_disbursement (
    item_id              BIGINT NOT NULL REFERENCES aid_item (id),
    position             BIGINT NOT NULL,
    disbursement_type    TEXT,
    period_start         DATE    NOT NULL,
    period_end           DATE,
    value_text           TEXT    NOT NULL,
    currency             TEXT,
    value_date           DATE,
    amount_minor         BIGINT,
    provider_ref         TEXT,
    provider_type        TEXT,
    provider_activity_id TEXT,
    receiver_ref         TEXT,
    receiver_type        TEXT,
    receiver_activity_id TEXT,
    CONSTRAINT aid_item_planned_disbursement_pkey PRIMARY KEY (item_id, position),
    CONSTRAINT aid_item_planned_disbursement_amount_non_negative CHECK (amount_minor >= 0)
);

-- Every IATI transaction kept, of every type 1-13. Those of type 2 (commitment), 3 (disbursement) and
-- 4 (expenditure) that could be converted are also a flow (flow_id), which is what reports count; the
-- others have no flow (counted says why), so flow.kind keeps its two values and reports never see them.
CREATE TABLE iati_transaction (
    item_id                     BIGINT NOT NULL REFERENCES aid_item (id),
    position                    BIGINT NOT NULL,
    flow_id                     BIGINT REFERENCES flow (id),
    counted                     TEXT    NOT NULL,
    transaction_ref             TEXT,
    transaction_type            TEXT    NOT NULL,
    transaction_date            DATE    NOT NULL,
    value_text                  TEXT    NOT NULL,
    currency                    TEXT,
    value_date                  DATE,
    amount_minor                BIGINT,
    provider_ref                TEXT,
    provider_type               TEXT,
    provider_activity_id        TEXT,
    receiver_ref                TEXT,
    receiver_type               TEXT,
    receiver_activity_id        TEXT,
    recipient_country           TEXT,
    recipient_region            TEXT,
    recipient_region_vocabulary TEXT,
    CONSTRAINT iati_transaction_pkey PRIMARY KEY (item_id, position),
    CONSTRAINT iati_transaction_type_code CHECK (transaction_type IN ('1', '2', '3', '4', '5', '6', '7', '8', '9',
        '10', '11', '12', '13')),
    CONSTRAINT iati_transaction_counted CHECK (counted IN ('flow', 'other_type', 'no_rate', 'other_country')),
    CONSTRAINT iati_transaction_flow_only_when_counted CHECK ((flow_id IS NULL) = (counted <> 'flow')),
    CONSTRAINT iati_transaction_amount_non_negative CHECK (amount_minor >= 0)
);
CREATE UNIQUE INDEX iati_transaction_flow_key ON iati_transaction (flow_id);
