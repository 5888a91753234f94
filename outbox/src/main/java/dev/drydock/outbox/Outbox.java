package dev.drydock.outbox;

import dev.drydock.events.Event;
import dev.drydock.events.EventCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * Appends events to the {@code outbox} table of the calling service, on the caller's
 * connection, so that an event commits or rolls back together with the state change it
 * describes. The table comes with this module ({@code db/outbox}, added to the service's Flyway
 * locations).
 */
public final class Outbox {

    private Outbox() {}

    /** Appends an event that stands alone (no other state changes with it), on a connection of its own. */
    public static void append(DataSource dataSource, Event event) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            append(connection, event);
        }
    }

    /** Appends an event on the caller's transaction. */
    public static void append(Connection connection, Event event) throws SQLException {
        appendAll(connection, List.of(event));
    }

    /** Appends several events on the caller's transaction in one batch of inserts. */
    public static void appendAll(Connection connection, List<Event> events) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO outbox (event_id, topic, event_key, payload) VALUES (?, ?, ?, ?)")) {
            for (Event event : events) {
                insert.setObject(1, event.id());
                insert.setString(2, event.type().topic().topicName());
                insert.setString(3, event.subject());
                insert.setBytes(4, EventCodec.encode(event));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
