-- Every change to a manifest or a tag names its repository on a notification channel: each
-- registry-api instance listens and drops what it has cached of that repository (ManifestCache).
-- The triggers that call this are tables' business and stay in V6; the function is kept here, in
-- its current form, and Flyway runs this file again whenever it changes.
CREATE OR REPLACE FUNCTION notify_manifests_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('drydock_manifests_changed', COALESCE(NEW.repository_id, OLD.repository_id)::text);
    RETURN NULL;
END
$$;
