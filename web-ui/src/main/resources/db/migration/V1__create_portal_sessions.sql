-- Browser sessions of the portal (sign-in arrives with the identity work; the table is its home).
CREATE TABLE portal_session (
    id         TEXT PRIMARY KEY,
    username   TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);
