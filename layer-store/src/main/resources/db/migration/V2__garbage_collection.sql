-- When a client was last told that a repository has a blob (an upload's or a mount's 201, a HEAD
-- or GET's 200): garbage collection never removes a link told of within the grace period, so a
-- manifest pushed within it finds every blob it was told of (docs/garbage-collection.md).
ALTER TABLE repository_blob ADD COLUMN touched_at TIMESTAMPTZ NOT NULL DEFAULT now();
-- When the blob's bytes were last stored or stored again: a blob no repository links is removed
-- only once this is older than the grace period.
ALTER TABLE blob ADD COLUMN touched_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX repository_blob_by_touched ON repository_blob (touched_at);
CREATE INDEX blob_by_touched ON blob (touched_at);
