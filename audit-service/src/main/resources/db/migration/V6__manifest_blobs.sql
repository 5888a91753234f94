-- What each manifest references: an image its config and layers, an index its platform manifests.
-- Shows which layers several images share (each is stored once) and is the basis of storage usage.
CREATE TABLE manifest_blob (
    repository TEXT NOT NULL,
    manifest   TEXT NOT NULL,
    blob       TEXT NOT NULL,
    PRIMARY KEY (repository, manifest, blob)
);
CREATE INDEX manifest_blob_by_blob ON manifest_blob (blob);
