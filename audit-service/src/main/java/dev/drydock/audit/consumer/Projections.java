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
    public int apply(List<AuditLog.LoggedEvent> events) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return applyOn(c, events, new AuditLog.Heads());
        }
    }

    /**
     * Applies events, in log order, on the caller's connection and transaction, to the tables its
     * search path finds first (a rebuild's fresh ones, or the live ones). Which are new is asked
     * once for the batch; the applied-once markers and audit records go in as batches, and the
     * read model is updated by one call.
     *
     * @return how many were new (the others had been applied before: redeliveries)
     */
    public int applyOn(Connection c, List<AuditLog.LoggedEvent> events, AuditLog.Heads heads) throws SQLException {
        Set<UUID> seen = new HashSet<>();
        try (PreparedStatement applied = c.prepareStatement("SELECT event_id FROM applied_event WHERE event_id = ANY (?)")) {
            applied.setArray(1, c.createArrayOf("uuid", events.stream().map(e -> e.event().id()).toArray()));
            try (ResultSet rs = applied.executeQuery()) {
                while (rs.next()) {
                    seen.add(rs.getObject(1, UUID.class));
                }
            }
        }
        List<AuditLog.LoggedEvent> fresh = new ArrayList<>();
        for (AuditLog.LoggedEvent logged : events) {
            if (seen.add(logged.event().id())) {
                fresh.add(logged);
            }
        }
        if (fresh.isEmpty()) {
            return 0;
        }
        try (PreparedStatement once = c.prepareStatement(
                "INSERT INTO applied_event (event_id, applied_at) VALUES (?, clock_timestamp())")) {
            for (AuditLog.LoggedEvent logged : fresh) {
                once.setObject(1, logged.event().id());
                once.addBatch();
            }
            once.executeBatch();
        }
        auditLog.append(c, fresh, heads);
        repositories.applyAll(c, fresh.stream().map(AuditLog.LoggedEvent::event).toList());
        return fresh.size();
    }
}
