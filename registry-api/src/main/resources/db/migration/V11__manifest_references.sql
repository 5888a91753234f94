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

CREATE FUNCTION pg_temp.size_of(descriptor JSONB) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(descriptor -> 'size') = 'number' THEN (descriptor ->> 'size')::NUMERIC::BIGINT END
$$;

-- The manifests stored before this table existed, read from their own bytes (each was parsed as
-- JSON when it was pushed). Foreign layers, which the registry never stores, are left out, as a push
-- leaves them out.
INSERT INTO manifest_reference (repository_id, manifest_digest, referenced, kind, size)
SELECT m.repository_id, m.digest, d.digest, d.kind, d.size
FROM manifest m,
     LATERAL (SELECT convert_from(m.content, 'UTF8')::jsonb AS doc) j,
     LATERAL (
         SELECT j.doc -> 'config' ->> 'digest' AS digest, 'blob' AS kind, pg_temp.size_of(j.doc -> 'config') AS size
         WHERE m.media_type IN ('application/vnd.oci.image.manifest.v1+json',
                                'application/vnd.docker.distribution.manifest.v2+json')
         UNION
         SELECT layer ->> 'digest', 'blob', pg_temp.size_of(layer)
         FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j.doc -> 'layers') = 'array' THEN j.doc -> 'layers' ELSE '[]' END) layer
         WHERE m.media_type IN ('application/vnd.oci.image.manifest.v1+json',
                                'application/vnd.docker.distribution.manifest.v2+json')
           AND NOT (jsonb_typeof(layer -> 'urls') = 'array' AND layer ->> 'mediaType' LIKE '%foreign%')
         UNION
         SELECT child ->> 'digest', 'manifest', NULL
         FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j.doc -> 'manifests') = 'array' THEN j.doc -> 'manifests' ELSE '[]' END) child
         WHERE m.media_type IN ('application/vnd.oci.image.index.v1+json',
                                'application/vnd.docker.distribution.manifest.list.v2+json')
     ) d
WHERE d.digest IS NOT NULL
ON CONFLICT DO NOTHING;

-- The one thing registry-api publishes for another service to read in the database: which blobs
-- the manifests of each repository reference. layer-store's garbage collector reads it inside the
-- transaction that removes a repository's link to a blob (docs/garbage-collection.md).
CREATE VIEW blob_reference AS
SELECT r.name AS repository, mr.referenced AS digest
FROM manifest_reference mr JOIN repository r ON r.id = mr.repository_id
WHERE mr.kind = 'blob';
