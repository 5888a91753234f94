-- A browser session holds the platform's tokens for its user; the cookie's value is kept only as
-- its SHA-256, so a copy of this table does not let anyone sign in as the users in it.
DROP TABLE portal_session;
CREATE TABLE portal_session (
    id_hash          TEXT PRIMARY KEY,
    username         TEXT        NOT NULL,
    csrf_token       TEXT        NOT NULL,
    access_token     TEXT        NOT NULL,
    access_expires   TIMESTAMPTZ NOT NULL,
    refresh_token    TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX portal_session_expiry ON portal_session (expires_at);
