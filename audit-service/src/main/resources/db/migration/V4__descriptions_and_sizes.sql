-- Descriptions and READMEs are searched too, names weighing most.
ALTER TABLE repository_summary
    ADD COLUMN description TEXT NOT NULL DEFAULT '',
    ADD COLUMN readme      TEXT NOT NULL DEFAULT '',
    DROP COLUMN search;
ALTER TABLE repository_summary
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', translate(name, '/-_.', '    ')), 'A')
        || setweight(to_tsvector('simple', description), 'B')
        || setweight(to_tsvector('english', readme), 'C')) STORED;
CREATE INDEX repository_summary_search ON repository_summary USING GIN (search);

-- Each pushed manifest's media type and size (its own bytes plus everything it references).
CREATE TABLE manifest_size (
    repository TEXT   NOT NULL,
    digest     TEXT   NOT NULL,
    media_type TEXT   NOT NULL,
    total_size BIGINT NOT NULL,
    PRIMARY KEY (repository, digest)
);
