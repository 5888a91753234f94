package dev.drydock.it;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The embedded PostgreSQL that {@code ./drydock up} and {@code ./drydock test} start (the same
 * launcher) flushes every commit: its embedding library's test defaults (fsync and
 * synchronous_commit off) would lose pushes already answered 201 in a crash.
 */
class DurabilityIT {

    @Test
    void theEmbeddedPostgresFlushesEveryCommitBeforeAnsweringIt() throws Exception {
        String url = System.getProperty("drydock-test.db-url", "jdbc:postgresql://127.0.0.1:25432/drydock");
        try (Connection c = DriverManager.getConnection(url, "drydock", "drydock"); Statement s = c.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    assertEquals("on", rs.getString(1), setting);
                }
            }
        }
    }
}
