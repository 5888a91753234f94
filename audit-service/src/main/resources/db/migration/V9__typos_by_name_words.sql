-- Typos are corrected word by word against the words of repository names (a search that matches
-- nothing as typed is run again with each unknown word replaced by the most similar known one).
-- The short name and its trigram index were for the old similarity match over every name.
DROP INDEX repository_summary_short_name_trgm;
ALTER TABLE repository_summary DROP COLUMN short_name;

CREATE TABLE name_word (
    word         TEXT PRIMARY KEY,
    repositories INTEGER NOT NULL
);
CREATE INDEX name_word_trgm ON name_word USING GIN (word gin_trgm_ops);
INSERT INTO name_word (word, repositories)
SELECT word, count(*) FROM repository_summary,
       unnest(tsvector_to_array(to_tsvector('simple', translate(name, '/-_.', '    ')))) AS w(word)
GROUP BY word;
