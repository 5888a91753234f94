package dev.drydock.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void credentialsInAJdbcUrlAreTakenOutOfIt() {
        DatabaseUrl url = DatabaseUrl.parse(
                "jdbc:postgresql://db.local:5432/drydock?user=reg&password=s%40cret&sslmode=require", "drydock", "");
        assertEquals(new DatabaseUrl("jdbc:postgresql://db.local:5432/drydock?sslmode=require", "reg", "s@cret"), url);
    }

    @Test
    void aLibpqUriBecomesAJdbcUrl() {
        assertEquals(
                new DatabaseUrl("jdbc:postgresql://10.1.2.3:6432/registry", "reg", "pw"),
                DatabaseUrl.parse("postgres://reg:pw@10.1.2.3:6432/registry", "drydock", ""));
    }

    @Test
    void withoutCredentialsTheSeparateSettingsCount() {
        assertEquals(
                new DatabaseUrl("jdbc:postgresql://localhost/drydock", "u", "p"),
                DatabaseUrl.parse("jdbc:postgresql://localhost/drydock", "u", "p"));
    }

    @Test
    void anythingElseIsRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("mysql://x/y", "u", "p"));
    }
}
