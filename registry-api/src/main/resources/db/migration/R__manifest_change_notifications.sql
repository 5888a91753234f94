-- Every change to a manifest or a tag names its repository on a notification channel: each
-- registry-api instance listens and drops what it has cached of that repository (ManifestCache).
-- The triggers that call this are tables' business and stay in V6; the function is kept here, in
-- its current form, and Flyway runs this file again whenever it changes.
-- An update of a manifest's bookkeeping alone (when it was pushed, touched or last pulled) changes
-- nothing a cache holds and is not announced: the first pull of a manifest after a while records
-- its time, and announcing that dropped the repository's cached answers under the pulls that
-- followed it.
CREATE OR REPLACE FUNCTION notify_manifests_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- every other column counts, those added later included (the rows are rendered whole, the
    -- content too: these updates come at most once per tenth of the grace period per manifest)
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'manifest'
            AND to_jsonb(NEW) - ARRAY['pushed_at', 'touched_at', 'pulled_at']
                = to_jsonb(OLD) - ARRAY['pushed_at', 'touched_at', 'pulled_at'] THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('drydock_manifests_changed', COALESCE(NEW.repository_id, OLD.repository_id)::text);
    RETURN NULL;
END
$$;
