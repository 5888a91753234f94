-- One row per stored blob, however many repositories link it: the bytes are stored once.
CREATE TABLE blob (
    digest    TEXT PRIMARY KEY,
    size      BIGINT      NOT NULL,
    stored_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A blob is readable through a repository only while the repository links it.
CREATE TABLE repository_blob (
    repository TEXT        NOT NULL,
    digest     TEXT        NOT NULL REFERENCES blob (digest),
    linked_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (repository, digest)
);
CREATE INDEX repository_blob_by_digest ON repository_blob (digest);

-- An upload in progress; its bytes so far are in uploads/<id> under the storage directory.
CREATE TABLE upload_session (
    id         UUID PRIMARY KEY,
    repository TEXT        NOT NULL,
    received   BIGINT      NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
