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

/** Applies one event to every projection in one transaction, once per event id. */
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

    /** @return false when the event had been applied before (a redelivery) */
    @Transactional
    public boolean apply(Event event, AuditLog.Position position) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return applyOn(c, event, position);
        }
    }

    /**
     * Applies the event on the caller's connection and transaction, to the tables its search path
     * finds first (a rebuild's fresh ones, or the live ones).
     *
     * @return false when the event had been applied before (a redelivery)
     */
    public boolean applyOn(Connection c, Event event, AuditLog.Position position) throws SQLException {
        try (PreparedStatement once = c.prepareStatement(
                "INSERT INTO applied_event (event_id) VALUES (?) ON CONFLICT DO NOTHING")) {
            once.setObject(1, event.id());
            if (once.executeUpdate() == 0) {
                return false;
            }
        }
        auditLog.append(c, event, position);
        repositories.apply(c, event);
        return true;
    }
}
