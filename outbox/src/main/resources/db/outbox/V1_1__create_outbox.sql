-- The transactional outbox of a service that produces events (see dev.drydock.outbox.Outbox).
-- Services list db/outbox in quarkus.flyway.locations to get it in their own schema.
CREATE TABLE outbox (
    seq        BIGSERIAL PRIMARY KEY,
    event_id   UUID        NOT NULL UNIQUE,
    topic      TEXT        NOT NULL,
    event_key  TEXT        NOT NULL,
    payload    BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
