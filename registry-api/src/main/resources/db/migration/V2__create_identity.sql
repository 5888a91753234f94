-- Users and organisations share one namespace of names: a repository's first path component.
CREATE TABLE namespace (
    name       TEXT PRIMARY KEY,
    kind       TEXT        NOT NULL CHECK (kind IN ('user', 'organization', 'official')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO namespace (name, kind) VALUES ('library', 'official');

CREATE TABLE account (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT        NOT NULL UNIQUE REFERENCES namespace (name),
    password_hash TEXT        NOT NULL,
    admin         BOOLEAN     NOT NULL DEFAULT false,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE organization (
    name       TEXT PRIMARY KEY REFERENCES namespace (name),
    created_by BIGINT      NOT NULL REFERENCES account (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE organization_member (
    organization TEXT   NOT NULL REFERENCES organization (name) ON DELETE CASCADE,
    account_id   BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    role         TEXT   NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    PRIMARY KEY (organization, account_id)
);

-- Personal access tokens: the secret is shown once and kept only as its SHA-256.
CREATE TABLE personal_access_token (
    id           UUID PRIMARY KEY,
    account_id   BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    scope        TEXT        NOT NULL CHECK (scope IN ('read', 'read-write', 'read-write-delete')),
    secret_hash  TEXT        NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- Refresh tokens of docker/podman logins and portal sessions; logout revokes.
CREATE TABLE refresh_token (
    id          UUID PRIMARY KEY,
    account_id  BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    secret_hash TEXT        NOT NULL UNIQUE,
    via_token   UUID REFERENCES personal_access_token (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);

-- The ES256 keys registry tokens are signed with; the newest signs, all verify.
CREATE TABLE signing_key (
    kid        TEXT PRIMARY KEY,
    jwk        TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
