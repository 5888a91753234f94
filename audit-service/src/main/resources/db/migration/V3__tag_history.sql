-- Every tag's past: what it pointed at, from when, and who moved it.
CREATE TABLE tag_history (
    event_id        UUID PRIMARY KEY,
    repository      TEXT        NOT NULL,
    tag             TEXT        NOT NULL,
    change          TEXT        NOT NULL CHECK (change IN ('created', 'moved', 'deleted')),
    digest          TEXT,
    previous_digest TEXT,
    changed_at      TIMESTAMPTZ NOT NULL,
    changed_by      TEXT
);
CREATE INDEX tag_history_by_tag ON tag_history (repository, tag, changed_at DESC);
