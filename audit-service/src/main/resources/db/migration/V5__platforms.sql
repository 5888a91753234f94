-- os/architecture[/variant] of each image, or of each platform of an index.
ALTER TABLE manifest_size ADD COLUMN platforms TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX manifest_size_platforms ON manifest_size USING GIN (platforms);
