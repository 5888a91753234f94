-- The one thing registry-api publishes for another service to read in the database: which blobs
-- the manifests of each repository reference. layer-store's garbage collector reads it inside the
-- transaction that removes a repository's link to a blob (docs/garbage-collection.md). Kept here
-- in its current form (first made in V11); Flyway runs this file again whenever it changes. A
-- replaced view must keep its columns, in order: a change that drops one drops the view first.
CREATE OR REPLACE VIEW blob_reference AS
SELECT r.name AS repository, mr.referenced AS digest
FROM manifest_reference mr JOIN repository r ON r.id = mr.repository_id
WHERE mr.kind = 'blob';
