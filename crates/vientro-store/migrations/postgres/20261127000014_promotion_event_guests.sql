-- Aid-promotion events keep whom they invited and who came (organisations), and which proposals of the
-- province's call-for-aid list were presented there, beside the pledges made.

CREATE TABLE promotion_event_organisation (
    event_id        BIGINT  NOT NULL REFERENCES promotion_event (id),
    organisation_id BIGINT  NOT NULL REFERENCES organisation (id),
    attended        BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (event_id, organisation_id)
);

CREATE TABLE promotion_event_proposal (
    event_id    BIGINT  NOT NULL REFERENCES promotion_event (id),
    proposal_id BIGINT  NOT NULL REFERENCES aid_proposal (id),
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (event_id, proposal_id)
);
