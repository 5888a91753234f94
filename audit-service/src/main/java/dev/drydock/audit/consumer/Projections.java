package dev.drydock.audit.consumer;

import dev.drydock.audit.log.AuditLog;
import dev.drydock.audit.repository.RepositorySummaries;
import dev.drydock.events.Event;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

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

    /** An event with its place in the log. */
    public record Positioned(Event event, AuditLog.Position position) {
    }

    /**
     * Applies a batch of events in one transaction: all or none.
     *
     * @return how many were new (the others had been applied before: redeliveries)
     */
    @Transactional
    public int apply(java.util.List<Positioned> events) throws SQLException {
        int applied = 0;
        AuditLog.Heads heads = new AuditLog.Heads();
        try (Connection c = dataSource.getConnection()) {
            for (Positioned positioned : events) {
                if (applyOn(c, positioned.event(), positioned.position(), heads)) {
                    applied++;
                }
            }
        }
        return applied;
    }

    /**
     * Applies the event on the caller's connection and transaction, to the tables its search path
     * finds first (a rebuild's fresh ones, or the live ones).
     *
     * @return false when the event had been applied before (a redelivery)
     */
    public boolean applyOn(Connection c, Event event, AuditLog.Position position, AuditLog.Heads heads)
            throws SQLException {
        try (PreparedStatement once = c.prepareStatement(
                "INSERT INTO applied_event (event_id, applied_at) VALUES (?, clock_timestamp()) ON CONFLICT DO NOTHING")) {
            once.setObject(1, event.id());
            if (once.executeUpdate() == 0) {
                return false;
            }
        }
        auditLog.append(c, event, position, heads);
        repositories.apply(c, event);
        return true;
    }
}
