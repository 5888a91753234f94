-- Each record's place in the event log. The hash chain runs per topic partition, in offset order,
-- so the audit log is the same however partitions interleave on consumption, and a rebuild from
-- offset zero reproduces it exactly. Records from before this column existed keep their single
-- chain in seq order.
ALTER TABLE audit_record
    ADD COLUMN topic           TEXT,
    ADD COLUMN kafka_partition INTEGER,
    ADD COLUMN kafka_offset    BIGINT;
CREATE UNIQUE INDEX audit_record_by_position ON audit_record (topic, kafka_partition, kafka_offset);
