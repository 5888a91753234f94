-- Every event id applied once: redelivery after a crash or a Kafka retry changes nothing.
CREATE TABLE applied_event (
    event_id   UUID PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The audit log: every event, in the order applied, each record chained to the one before by hash.
CREATE TABLE audit_record (
    seq            BIGSERIAL PRIMARY KEY,
    event_id       UUID        NOT NULL UNIQUE,
    type           TEXT        NOT NULL,
    source         TEXT        NOT NULL,
    subject        TEXT        NOT NULL,
    namespace      TEXT,
    actor          TEXT,
    token_id       TEXT,
    client_address TEXT,
    user_agent     TEXT,
    occurred_at    TIMESTAMPTZ NOT NULL,
    data           TEXT        NOT NULL, -- the payload exactly as hashed
    previous_hash  TEXT        NOT NULL,
    hash           TEXT        NOT NULL
);
CREATE INDEX audit_record_by_subject ON audit_record (subject, seq);
CREATE INDEX audit_record_by_namespace ON audit_record (namespace, seq);
CREATE INDEX audit_record_by_actor ON audit_record (actor, seq);
CREATE INDEX audit_record_by_type ON audit_record (type, seq);

-- Repository summaries for the portal and search.
CREATE TABLE repository_summary (
    name           TEXT PRIMARY KEY,
    namespace      TEXT        NOT NULL,
    visibility     TEXT        NOT NULL DEFAULT 'public',
    created_at     TIMESTAMPTZ NOT NULL,
    last_pushed_at TIMESTAMPTZ,
    last_pushed_by TEXT
);

-- What each tag points at now.
CREATE TABLE current_tag (
    repository TEXT        NOT NULL,
    tag        TEXT        NOT NULL,
    digest     TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (repository, tag)
);
