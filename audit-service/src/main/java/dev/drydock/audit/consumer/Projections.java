package dev.drydock.audit.consumer;

import dev.drydock.audit.log.AuditLog;
import dev.drydock.audit.repository.RepositorySummaries;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Applies events to every projection, each event id once; a batch in one transaction. */
@ApplicationScoped
public class Projections {

    private final AgroalDataSource dataSource;
    private final AuditLog auditLog;
    private final RepositorySummaries repositories;

    Projections(AgroalDataSource dataSource, AuditLog auditLog, RepositorySummaries repositories) {
        this.dataSource = dataSource;
        this.auditLog = auditLog;
        this.repositories = repositories;
    }

    /**
     * Applies a batch of events in one transaction: all or none.
     *
     * @return how many were new (the others had been applied before: redeliveries)
     */
    @Transactional
    public int apply(List<AuditLog.LoggedEvent> events, List<AuditLog.Position> unreadable) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return applyOn(c, events, unreadable, new AuditLog.Heads());
        }
    }

    /**
     * Applies events, in log order, on the caller's connection and transaction, to the tables its
     * search path finds first (a rebuild's fresh ones, or the live ones). Which are new is asked
     * once for the batch; the applied-once markers and audit records go in as batches, and the
     * read model is updated by one call. The places of events applied before at another place, and
     * of the {@code unreadable} ones, are recorded as skipped, so a partition's positions have no hole.
     *
     * @return how many were new (the others had been applied before: redeliveries)
     */
    public int applyOn(
            Connection c, List<AuditLog.LoggedEvent> events, List<AuditLog.Position> unreadable, AuditLog.Heads heads)
            throws SQLException {
        Set<UUID> seen = new HashSet<>();
        try (PreparedStatement applied =
                c.prepareStatement("SELECT event_id FROM applied_event WHERE event_id = ANY (?)")) {
            applied.setArray(
                    1,
                    c.createArrayOf(
                            "uuid", events.stream().map(e -> e.event().id()).toArray()));
            try (ResultSet rs = applied.executeQuery()) {
                while (rs.next()) {
                    seen.add(rs.getObject(1, UUID.class));
                }
            }
        }
        List<AuditLog.LoggedEvent> fresh = new ArrayList<>();
        List<AuditLog.Position> duplicates = new ArrayList<>();
        for (AuditLog.LoggedEvent logged : events) {
            if (seen.add(logged.event().id())) {
                fresh.add(logged);
            } else if (logged.position() != null) {
                duplicates.add(logged.position());
            }
        }
        if (!fresh.isEmpty()) {
            applyFresh(c, fresh, heads);
        }
        skipped(c, duplicates, "applied before at another place in the log");
        skipped(c, unreadable, "unreadable: sent to the dead-letter topic");
        return fresh.size();
    }

    private void applyFresh(Connection c, List<AuditLog.LoggedEvent> fresh, AuditLog.Heads heads) throws SQLException {
        try (PreparedStatement once =
                c.prepareStatement("INSERT INTO applied_event (event_id, applied_at) VALUES (?, clock_timestamp())")) {
            for (AuditLog.LoggedEvent logged : fresh) {
                once.setObject(1, logged.event().id());
                once.addBatch();
            }
            once.executeBatch();
        }
        auditLog.append(c, fresh, heads);
        repositories.applyAll(c, fresh.stream().map(AuditLog.LoggedEvent::event).toList());
    }

    /**
     * Records places that hold no audit record; after the batch's records are in, so that a
     * redelivered event (whose place holds its record) is not taken for one.
     */
    private static void skipped(Connection c, List<AuditLog.Position> positions, String reason) throws SQLException {
        if (positions.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO skipped_position (topic, kafka_partition,"
                + " kafka_offset, reason) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM audit_record"
                + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset = ?) ON CONFLICT DO NOTHING")) {
            for (AuditLog.Position position : positions) {
                insert.setString(1, position.topic());
                insert.setInt(2, position.partition());
                insert.setLong(3, position.offset());
                insert.setString(4, reason);
                insert.setString(5, position.topic());
                insert.setInt(6, position.partition());
                insert.setLong(7, position.offset());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
