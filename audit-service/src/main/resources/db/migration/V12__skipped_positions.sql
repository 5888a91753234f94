-- The places in the event log that hold no audit record, with the reason: an event applied before
-- at another place (the outbox published it twice), or one this release could not read (it went to
-- the dead-letter topic). With them, a partition's positions run without a hole, so a place that
-- was consumed but never applied shows as a gap (verify reports it).
CREATE TABLE skipped_position (
    topic           TEXT    NOT NULL,
    kafka_partition INTEGER NOT NULL,
    kafka_offset    BIGINT  NOT NULL,
    reason          TEXT    NOT NULL,
    PRIMARY KEY (topic, kafka_partition, kafka_offset)
);
