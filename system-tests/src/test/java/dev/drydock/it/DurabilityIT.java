package dev.drydock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL that {@code ./drydock up} and {@code ./drydock test} start (the same
 * launcher) flushes every commit: its embedding library's test defaults (fsync and
 * synchronous_commit off) would lose pushes already answered 201 in a crash.
 */
class DurabilityIT {

    @Test
    void theEmbeddedPostgresFlushesEveryCommitBeforeAnsweringIt() throws Exception {
        try (Connection c = TestInfra.Database.shared().connect();
                Statement s = c.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    assertEquals("on", rs.getString(1), setting);
                }
            }
        }
    }
}
