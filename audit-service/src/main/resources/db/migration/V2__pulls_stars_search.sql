-- Trusted extension since PostgreSQL 13: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE repository_summary
    ADD COLUMN stars          BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN pulls          BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN last_pulled_at TIMESTAMPTZ,
    ADD COLUMN search         tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', translate(name, '/-_.', '    '))) STORED;
CREATE INDEX repository_summary_search ON repository_summary USING GIN (search);
CREATE INDEX repository_summary_name_trgm ON repository_summary USING GIN (name gin_trgm_ops);

-- Platform manifests listed by an index: a GET of one by digest is part of the index's pull.
CREATE TABLE index_child (
    repository TEXT NOT NULL,
    digest     TEXT NOT NULL,
    PRIMARY KEY (repository, digest)
);

-- Exact pull counts per repository, day, reference asked for and digest served.
CREATE TABLE pull_count (
    repository TEXT   NOT NULL,
    day        DATE   NOT NULL,
    reference  TEXT   NOT NULL,
    digest     TEXT   NOT NULL,
    pulls      BIGINT NOT NULL,
    PRIMARY KEY (repository, day, reference, digest)
);

CREATE TABLE starred (
    repository TEXT NOT NULL,
    username   TEXT NOT NULL,
    PRIMARY KEY (repository, username)
);
