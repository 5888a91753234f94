-- Every change to a manifest or a tag names its repository on a notification channel: each
-- registry-api instance listens and drops what it has cached of that repository (ManifestCache).
CREATE FUNCTION notify_manifests_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('drydock_manifests_changed', COALESCE(NEW.repository_id, OLD.repository_id)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER manifest_changed AFTER INSERT OR UPDATE OR DELETE ON manifest
    FOR EACH ROW EXECUTE FUNCTION notify_manifests_changed();
CREATE TRIGGER tag_changed AFTER INSERT OR UPDATE OR DELETE ON tag
    FOR EACH ROW EXECUTE FUNCTION notify_manifests_changed();
