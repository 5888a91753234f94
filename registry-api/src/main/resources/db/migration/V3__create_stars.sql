CREATE TABLE star (
    repository_id BIGINT      NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    account_id    BIGINT      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    starred_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (repository_id, account_id)
);
