package dev.drydock.registry;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventData;
import dev.drydock.outbox.Outbox;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The events of the domain kept with Panache: appended to the outbox on the caller's transaction,
 * so that each commits with the change it describes or not at all. Inside a transaction the pool
 * hands out the connection Hibernate's session writes on; without one, emitting fails (MANDATORY).
 */
@ApplicationScoped
public class DomainEvents {

    /** The CloudEvents {@code source} of every event registry-api emits. */
    public static final String SOURCE = "/drydock/registry-api";

    private final AgroalDataSource dataSource;

    DomainEvents(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void emit(Actor actor, EventData data) {
        try (Connection connection = dataSource.getConnection()) {
            Outbox.append(connection, Event.of(SOURCE, actor, data));
        } catch (SQLException e) {
            throw new IllegalStateException("the event could not be written to the outbox", e);
        }
    }
}
