CREATE TABLE repository (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT        NOT NULL UNIQUE,
    visibility  TEXT        NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Exactly the bytes a client pushed; the digest is of those bytes.
CREATE TABLE manifest (
    repository_id  BIGINT      NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    digest         TEXT        NOT NULL,
    media_type     TEXT        NOT NULL,
    content        BYTEA       NOT NULL,
    artifact_type  TEXT,
    subject_digest TEXT,
    pushed_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifest_by_subject ON manifest (repository_id, subject_digest) WHERE subject_digest IS NOT NULL;

-- A tag is a movable pointer to one manifest of its repository.
CREATE TABLE tag (
    repository_id BIGINT      NOT NULL,
    name          TEXT        NOT NULL,
    digest        TEXT        NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (repository_id, name),
    FOREIGN KEY (repository_id, digest) REFERENCES manifest (repository_id, digest)
);
