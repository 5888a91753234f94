-- Garbage collections, the one running and those before it: what each has removed so far, so
-- that an operator (./drydock system prune, GET /api/v1/system/gc) can follow a long run from any
-- instance, and the schedule knows when the last one finished. A run the process died in keeps
-- finished_at NULL until the next run marks it interrupted.
CREATE TABLE gc_run (
    id          BIGSERIAL PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    dry_run     BOOLEAN     NOT NULL,
    actor       TEXT        NOT NULL,
    phase       TEXT        NOT NULL,
    links       INT         NOT NULL DEFAULT 0,
    blobs       INT         NOT NULL DEFAULT 0,
    bytes_freed BIGINT      NOT NULL DEFAULT 0,
    uploads     INT         NOT NULL DEFAULT 0,
    stray_files INT         NOT NULL DEFAULT 0,
    outcome     TEXT
);
CREATE INDEX gc_run_finished ON gc_run (finished_at) WHERE NOT dry_run;
