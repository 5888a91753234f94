-- What each stored manifest references, written in the transaction that stores it: an image
-- manifest its config and layers (kind 'blob'), an index the manifests it lists (kind 'manifest').
-- Prune walks the 'manifest' rows to find what a tag still reaches; garbage collection keeps every
-- blob a 'blob' row names (docs/garbage-collection.md).
CREATE TABLE manifest_reference (
    repository_id   BIGINT NOT NULL,
    manifest_digest TEXT   NOT NULL,
    referenced      TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('blob', 'manifest')),
    -- a blob's size as the manifest's descriptor declares it (layer-store's copy is the truth)
    size            BIGINT,
    PRIMARY KEY (repository_id, manifest_digest, referenced, kind),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifest (repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_reference_by_referenced ON manifest_reference (repository_id, referenced, kind);
CREATE INDEX manifest_reference_by_blob ON manifest_reference (referenced) WHERE kind = 'blob';

-- The manifests stored before this table existed, read from their own bytes. Each was parsed as
-- JSON when it was pushed, but by a parser more lenient than PostgreSQL's (other encodings, a byte
-- order mark, trailing bytes, sizes beyond a bigint): a manifest PostgreSQL cannot read is taken to
-- reference every sha256 digest its bytes contain, which may keep a blob too many but never one
-- too few. Foreign layers (with urls and a foreign media type), which the registry never stores,
-- are left out, as a push leaves them out.
CREATE FUNCTION pg_temp.references_of(content BYTEA, media_type TEXT)
    RETURNS TABLE (referenced TEXT, kind TEXT, size BIGINT) LANGUAGE plpgsql AS $$
DECLARE
    doc JSONB;
    is_index BOOLEAN := media_type IN ('application/vnd.oci.image.index.v1+json',
                                       'application/vnd.docker.distribution.manifest.list.v2+json');
BEGIN
    BEGIN
        doc := convert_from(content, 'UTF8')::jsonb;
    EXCEPTION WHEN OTHERS THEN
        RETURN QUERY SELECT DISTINCT m[1], CASE WHEN is_index THEN 'manifest' ELSE 'blob' END, NULL::BIGINT
                     FROM regexp_matches(replace(encode(content, 'escape'), '\\000', ''), '(sha256:[0-9a-f]{64})', 'g') m;
        RETURN;
    END;
    IF is_index THEN
        RETURN QUERY SELECT DISTINCT child ->> 'digest', 'manifest', NULL::BIGINT
                     FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'manifests') = 'array'
                                                    THEN doc -> 'manifests' ELSE '[]' END) child
                     WHERE child ->> 'digest' IS NOT NULL;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT DISTINCT ON (d.digest) d.digest, 'blob', d.size FROM (
            SELECT doc -> 'config' ->> 'digest' AS digest, pg_temp.size_of(doc -> 'config') AS size
            UNION ALL
            SELECT layer ->> 'digest', pg_temp.size_of(layer)
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'layers') = 'array' THEN doc -> 'layers' ELSE '[]' END) layer
            WHERE NOT (jsonb_typeof(layer -> 'urls') = 'array' AND coalesce(layer ->> 'mediaType', '') LIKE '%foreign%')
        ) d
        WHERE d.digest IS NOT NULL;
END $$;

CREATE FUNCTION pg_temp.size_of(descriptor JSONB) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(descriptor -> 'size') = 'number' AND (descriptor ->> 'size') ~ '^[0-9]{1,18}$'
                THEN (descriptor ->> 'size')::BIGINT END
$$;

INSERT INTO manifest_reference (repository_id, manifest_digest, referenced, kind, size)
SELECT m.repository_id, m.digest, r.referenced, r.kind, r.size
FROM manifest m, LATERAL pg_temp.references_of(m.content, m.media_type) r
ON CONFLICT DO NOTHING;

-- When the manifest was last pushed (its first push, or a push of the same bytes since): a prune
-- keeps a manifest pushed within the grace period, and everything it reaches.
ALTER TABLE manifest ADD COLUMN touched_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- The one thing registry-api publishes for another service to read in the database: which blobs
-- the manifests of each repository reference. layer-store's garbage collector reads it inside the
-- transaction that removes a repository's link to a blob (docs/garbage-collection.md).
CREATE VIEW blob_reference AS
SELECT r.name AS repository, mr.referenced AS digest
FROM manifest_reference mr JOIN repository r ON r.id = mr.repository_id
WHERE mr.kind = 'blob';
