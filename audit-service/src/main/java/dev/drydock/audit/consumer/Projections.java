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
    public boolean apply(Event event) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement once = c.prepareStatement(
                    "INSERT INTO applied_event (event_id) VALUES (?) ON CONFLICT DO NOTHING")) {
                once.setObject(1, event.id());
                if (once.executeUpdate() == 0) {
                    return false;
                }
            }
            auditLog.append(c, event);
            repositories.apply(c, event);
            return true;
        }
    }
}
