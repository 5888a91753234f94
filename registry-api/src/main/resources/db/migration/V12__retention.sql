-- When a manifest was last pulled, kept to within the grace period's tenth (pulls are recorded in
-- batches): the "not pulled for" retention rule reads it. Null: never pulled. The manifests stored
-- before this column came count as pulled now: nobody knows when they last were, and a rule must
-- not take "unknown" for "long ago".
ALTER TABLE manifest ADD COLUMN pulled_at TIMESTAMPTZ DEFAULT now();
ALTER TABLE manifest ALTER COLUMN pulled_at DROP DEFAULT;

-- Retention rules (AWS ECR lifecycle policies, for tags): of a repository, or of every repository of
-- a namespace that has none of its own. The policy is JSON as the API takes it, validated there.
CREATE TABLE retention_policy (
    kind       TEXT        NOT NULL CHECK (kind IN ('repository', 'namespace')),
    name       TEXT        NOT NULL,
    policy     JSONB       NOT NULL,
    updated_by TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);
