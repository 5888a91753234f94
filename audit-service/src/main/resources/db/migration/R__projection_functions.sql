-- The projection's functions, in their current form. Flyway runs this file again whenever it
-- changes (after the versioned migrations, which keep the tables): a change to what an event does
-- to the read model is made here, in place, and reviewed as a diff. V10 and V11 hold earlier
-- definitions only as history; a new installation runs them and then this.

-- Popularity: stars and recent pulls on a log scale, rounded to hundredths (V11 explains why).
CREATE OR REPLACE FUNCTION popularity_of(v_stars BIGINT, v_recent_pulls BIGINT) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE AS $$
    SELECT round((0.1 * ln(1 + v_stars) + 0.05 * ln(1 + v_recent_pulls))::NUMERIC, 2)
$$;

-- v_types: the event types without their prefix (tag.created); v_payloads: each event's data;
-- v_times: when each happened; v_actors: the user behind each (or null); v_ids: each event's id.
CREATE OR REPLACE FUNCTION ensure_repository(v_name TEXT, v_visibility TEXT, v_at TIMESTAMPTZ) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_words TSVECTOR;
BEGIN
    PERFORM FROM repository_summary WHERE name = v_name;
    IF FOUND THEN
        RETURN; -- most calls: every push names its repository
    END IF;
    v_words := to_tsvector('simple', translate(v_name, '/-_.', '    '));
    INSERT INTO repository_summary (name, namespace, visibility, created_at, name_words, all_words)
    VALUES (v_name, split_part(v_name, '/', 1), v_visibility, v_at, v_words, v_words)
    ON CONFLICT (name) DO NOTHING;
    IF FOUND THEN
        INSERT INTO name_word (word, repositories)
        SELECT word, 1 FROM unnest(tsvector_to_array(v_words)) AS w(word)
        ON CONFLICT (word) DO UPDATE SET repositories = name_word.repositories + 1;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION apply_registry_events(v_types TEXT[], v_payloads JSONB[], v_times TIMESTAMPTZ[], v_actors TEXT[],
                                      v_ids UUID[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    p      JSONB;
    v_at   TIMESTAMPTZ;
    v_by   TEXT;
    v_repo TEXT;
    v_day  DATE;
    v_last DATE;
    v_seen DATE;
    v_recent INTEGER;
BEGIN
    SELECT last_day INTO v_seen FROM pull_window;
    v_last := v_seen;
    FOR i IN 1 .. coalesce(array_length(v_types, 1), 0) LOOP
        p := v_payloads[i];
        v_at := v_times[i];
        v_by := v_actors[i];
        v_repo := p->>'repository';
        v_day := (v_at AT TIME ZONE 'UTC')::DATE;
        IF v_last IS NULL OR v_day > v_last THEN
            -- the window moves on: the days that fall out of it stop counting as recent
            WITH gone AS (DELETE FROM recent_pull WHERE day <= v_day - 30 RETURNING repository, pulls)
            UPDATE repository_summary s SET recent_pulls = s.recent_pulls - g.pulls,
                popularity = popularity_of(s.stars, s.recent_pulls - g.pulls)
            FROM (SELECT repository, sum(pulls)::BIGINT AS pulls FROM gone GROUP BY repository) g
            WHERE s.name = g.repository;
            v_last := v_day;
        END IF;
        CASE v_types[i]
        WHEN 'repository.created' THEN
            PERFORM ensure_repository(v_repo, p->>'visibility', v_at);
        WHEN 'manifest.pushed' THEN
            PERFORM ensure_repository(v_repo, 'public', v_at);
            INSERT INTO manifest_size (repository, digest, media_type, total_size, platforms)
            VALUES (v_repo, p->>'digest', p->>'mediaType', (p->>'totalSize')::BIGINT,
                    CASE WHEN jsonb_typeof(p->'platforms') = 'array'
                         THEN ARRAY(SELECT jsonb_array_elements_text(p->'platforms')) ELSE '{}' END)
            ON CONFLICT DO NOTHING;
            UPDATE repository_summary SET last_pushed_at = v_at, last_pushed_by = v_by WHERE name = v_repo;
            INSERT INTO manifest_blob (repository, manifest, blob)
            SELECT v_repo, p->>'digest', b.blob FROM jsonb_array_elements_text(p->'blobs') AS b(blob)
            ON CONFLICT DO NOTHING;
            IF strpos(p->>'mediaType', 'index') > 0 OR strpos(p->>'mediaType', 'manifest.list') > 0 THEN
                INSERT INTO index_child (repository, digest)
                SELECT v_repo, b.child FROM jsonb_array_elements_text(p->'blobs') AS b(child)
                ON CONFLICT DO NOTHING;
            END IF;
        WHEN 'image.pulled' THEN
            -- every pull counts per day, reference and digest; the total counts a pull by tag, or by
            -- digest of a manifest that is not a platform manifest of one of the repository's indexes
            INSERT INTO pull_count (repository, day, reference, digest, pulls)
            VALUES (v_repo, (v_at AT TIME ZONE 'UTC')::DATE, p->>'reference', p->>'digest', (p->>'count')::INTEGER)
            ON CONFLICT (repository, day, reference, digest) DO UPDATE SET pulls = pull_count.pulls + EXCLUDED.pulls;
            v_recent := CASE WHEN v_day > v_last - 30 THEN (p->>'count')::INTEGER ELSE 0 END;
            UPDATE repository_summary SET pulls = pulls + (p->>'count')::INTEGER, last_pulled_at = v_at,
                recent_pulls = recent_pulls + v_recent, popularity = popularity_of(stars, recent_pulls + v_recent)
            WHERE name = v_repo AND ((p->>'byTag')::BOOLEAN
                OR NOT EXISTS (SELECT 1 FROM index_child c WHERE c.repository = v_repo AND c.digest = p->>'digest'));
            IF FOUND AND v_recent > 0 THEN
                INSERT INTO recent_pull (repository, day, pulls) VALUES (v_repo, v_day, v_recent)
                ON CONFLICT (repository, day) DO UPDATE SET pulls = recent_pull.pulls + EXCLUDED.pulls;
            END IF;
        WHEN 'repository.starred' THEN
            INSERT INTO starred (repository, username) VALUES (v_repo, p->>'username') ON CONFLICT DO NOTHING;
            IF FOUND THEN
                UPDATE repository_summary SET stars = stars + 1, popularity = popularity_of(stars + 1, recent_pulls)
                WHERE name = v_repo;
            END IF;
        WHEN 'repository.unstarred' THEN
            DELETE FROM starred WHERE repository = v_repo AND username = p->>'username';
            IF FOUND THEN
                UPDATE repository_summary SET stars = stars - 1, popularity = popularity_of(stars - 1, recent_pulls)
                WHERE name = v_repo;
            END IF;
        WHEN 'repository.visibility_changed' THEN
            UPDATE repository_summary SET visibility = p->>'visibility' WHERE name = v_repo;
        WHEN 'repository.deleted' THEN
            UPDATE name_word SET repositories = repositories - 1
            WHERE word IN (SELECT w.word FROM unnest(tsvector_to_array(to_tsvector('simple',
                               translate(v_repo, '/-_.', '    ')))) AS w(word))
              AND EXISTS (SELECT 1 FROM repository_summary WHERE name = v_repo);
            IF FOUND THEN
                DELETE FROM name_word WHERE repositories <= 0;
            END IF;
            DELETE FROM repository_summary WHERE name = v_repo;
            DELETE FROM current_tag WHERE repository = v_repo;
            DELETE FROM manifest_size WHERE repository = v_repo;
            DELETE FROM index_child WHERE repository = v_repo;
            DELETE FROM starred WHERE repository = v_repo;
            DELETE FROM pull_count WHERE repository = v_repo;
            DELETE FROM recent_pull WHERE repository = v_repo;
            DELETE FROM tag_history WHERE repository = v_repo;
            DELETE FROM manifest_blob WHERE repository = v_repo;
        WHEN 'manifest.deleted' THEN
            DELETE FROM manifest_size WHERE repository = v_repo AND digest = p->>'digest';
            DELETE FROM manifest_blob WHERE repository = v_repo AND manifest = p->>'digest';
        WHEN 'repository.description_changed' THEN
            UPDATE repository_summary SET description = p->>'description', readme = p->>'readme',
                description_words = to_tsvector('simple', p->>'description'),
                readme_words = to_tsvector('simple', p->>'readme'),
                all_words = name_words || to_tsvector('simple', p->>'description') || to_tsvector('simple', p->>'readme')
            WHERE name = v_repo;
        WHEN 'tag.created', 'tag.moved' THEN
            INSERT INTO current_tag (repository, tag, digest, updated_at, updated_by)
            VALUES (v_repo, p->>'tag', p->>'digest', v_at, v_by)
            ON CONFLICT (repository, tag) DO UPDATE SET digest = EXCLUDED.digest,
                updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by;
            INSERT INTO tag_history (event_id, repository, tag, change, digest, previous_digest, changed_at, changed_by)
            VALUES (v_ids[i], v_repo, p->>'tag', CASE v_types[i] WHEN 'tag.created' THEN 'created' ELSE 'moved' END,
                    p->>'digest', p->>'previousDigest', v_at, v_by)
            ON CONFLICT DO NOTHING;
        WHEN 'tag.deleted' THEN
            DELETE FROM current_tag WHERE repository = v_repo AND tag = p->>'tag';
            INSERT INTO tag_history (event_id, repository, tag, change, digest, previous_digest, changed_at, changed_by)
            VALUES (v_ids[i], v_repo, p->>'tag', 'deleted', NULL, p->>'previousDigest', v_at, v_by)
            ON CONFLICT DO NOTHING;
        ELSE
            NULL; -- other events change nothing in the read model
        END CASE;
    END LOOP;
    IF v_last IS DISTINCT FROM v_seen THEN
        INSERT INTO pull_window (last_day) VALUES (v_last)
        ON CONFLICT (one) DO UPDATE SET last_day = EXCLUDED.last_day;
    END IF;
END $$;
