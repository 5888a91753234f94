-- Search finds its candidates through indexes only: full text, trigram similarity of the name's
-- last component (typos), and trigram LIKE for a part of the name; similarity is then computed for
-- the candidates alone.
ALTER TABLE repository_summary
    ADD COLUMN short_name TEXT GENERATED ALWAYS AS (regexp_replace(name, '^.*/', '')) STORED;
CREATE INDEX repository_summary_short_name_trgm ON repository_summary USING GIN (short_name gin_trgm_ops);
