package dev.drydock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.events.KafkaLogin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, finding 10: the launcher's PostgreSQL and Kafka take no one without the credentials it
 * generated, keeps those readable by its user only, and gives an install from before them
 * credentials on its next start.
 */
class InfrastructureCredentialsIT {

    @TempDir
    Path work;

    @Test
    void theTestDatabaseTakesNoPasswordlessLoginAndNotTheOldWellKnownPassword() throws SQLException {
        TestInfra.Database database = TestInfra.Database.shared();
        assertRefused(database.url(), "drydock", "drydock");
        assertRefused(database.url(), "postgres", "");
        assertRefused(database.url().replaceFirst("/drydock$", "/postgres"), "postgres", "postgres");
        try (Connection c = database.connect()) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void theTestKafkaTakesOnlyItsScramUser() throws Exception {
        TestInfra.Kafka kafka = TestInfra.Kafka.shared();
        assertTrue(kafka.login().signsIn(), "./drydock test hands the tests a Kafka login");
        assertKafkaRefuses(kafka.bootstrap(), KafkaLogin.none());
        Throwable wrong = assertKafkaRefuses(
                kafka.bootstrap(), new KafkaLogin(kafka.login().username(), "not-the-password"));
        assertInstanceOf(SaslAuthenticationException.class, wrong);
        assertTrue(topics(kafka.bootstrap(), kafka.login()).contains("drydock.registry.v1"));
    }

    @Test
    void theLauncherKeepsItsSecretsPrivateAndGivesAnInstallFromBeforeThemCredentials() throws Exception {
        Path data = work.resolve("infra");
        int pgPort = Ports.free();
        int kafkaPort = Ports.freePair();
        Map<String, String> ports =
                Map.of("DRYDOCK_PG_PORT", Integer.toString(pgPort), "DRYDOCK_KAFKA_PORT", Integer.toString(kafkaPort));
        Process infra = TestInfra.launch(data, ports);
        TestInfra.Database first;
        TestInfra.Kafka firstKafka;
        try {
            first = TestInfra.launchedDatabase(data);
            firstKafka = TestInfra.launchedKafka(data);
            assertEquals("rwx------", mode(data.resolve("secrets")));
            try (Stream<Path> files = Files.list(data.resolve("secrets"))) {
                for (Path file : files.toList()) {
                    assertEquals("rw-------", mode(file), file.toString());
                }
            }
            assertEquals("rw-------", mode(data.resolve("run").resolve("infra.env")));
            assertEquals("rw-------", mode(data.resolve("kafka").resolve("server.properties")));
            assertRefused(first.url(), "drydock", "drydock");
            assertRefused(first.url(), "postgres", "");
            try (Connection c = first.connect()) {
                assertTrue(c.isValid(5));
            }
            assertKafkaRefuses(firstKafka.bootstrap(), KafkaLogin.none());
            assertTrue(topics(firstKafka.bootstrap(), firstKafka.login()).contains("drydock.registry.v1"));
            assertSecretsNowhereElse(data);
        } finally {
            stop(infra);
        }

        // the superuser's password file deleted (to replace it): a new one, and the old one is dead
        String oldSuperPassword = Files.readString(data.resolve("secrets").resolve("postgres-password"));
        Files.delete(data.resolve("secrets").resolve("postgres-password"));
        infra = TestInfra.launch(data, ports);
        try {
            String newSuperPassword = Files.readString(data.resolve("secrets").resolve("postgres-password"));
            assertTrue(
                    !newSuperPassword.isBlank() && !newSuperPassword.equals(oldSuperPassword),
                    "no new superuser password");
            String postgresDb = first.url().replaceFirst("/drydock$", "/postgres");
            assertRefused(postgresDb, "postgres", oldSuperPassword);
            assertRefused(postgresDb, "postgres", "");
            try (Connection c = DriverManager.getConnection(postgresDb, "postgres", newSuperPassword)) {
                assertTrue(c.isValid(5));
            }
        } finally {
            stop(infra);
        }

        // an install from before generated credentials: storage is there, secrets/ is not
        try (Stream<Path> files = Files.list(data.resolve("secrets"))) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        infra = TestInfra.launch(data, ports);
        try {
            TestInfra.Database second = TestInfra.launchedDatabase(data);
            TestInfra.Kafka secondKafka = TestInfra.launchedKafka(data);
            assertTrue(!first.password().equals(second.password()), "the database password was not replaced");
            assertRefused(second.url(), "drydock", first.password());
            assertRefused(second.url(), "postgres", "");
            try (Connection c = second.connect()) {
                assertTrue(c.isValid(5));
            }
            assertKafkaRefuses(secondKafka.bootstrap(), KafkaLogin.none());
            assertTrue(
                    topics(secondKafka.bootstrap(), secondKafka.login()).contains("drydock.registry.v1"),
                    "the topics of the first start are still there, now behind the new login");
        } finally {
            stop(infra);
        }
    }

    /** No generated secret on any process's command line, nor in any log of the data directory. */
    private static void assertSecretsNowhereElse(Path data) throws Exception {
        java.util.List<String> secrets = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(data.resolve("secrets"))) {
            for (Path file : files.toList()) {
                String secret = Files.readString(file).strip();
                if (!secret.isEmpty()) {
                    secrets.add(secret);
                }
            }
        }
        assertTrue(
                secrets.size() >= 4,
                "expected the database, superuser, Kafka and controller secrets: " + secrets.size());
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes
                    .filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                String commandLine;
                try {
                    commandLine = new String(Files.readAllBytes(process.resolve("cmdline")));
                } catch (java.io.IOException gone) {
                    continue;
                }
                for (String secret : secrets) {
                    assertTrue(
                            !commandLine.contains(secret),
                            "a secret stands on the command line of process " + process.getFileName());
                }
            }
        }
        try (Stream<Path> files = Files.walk(data)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .toList()) {
                String text = Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String secret : secrets) {
                    assertTrue(!text.contains(secret), "a secret is written in " + log);
                }
            }
        }
    }

    private static void assertRefused(String url, String user, String password) {
        SQLException refused = assertThrows(
                SQLException.class,
                () -> {
                    try (Connection c = DriverManager.getConnection(url, user, password)) {
                        c.isValid(5);
                    }
                },
                user + " signed in without the generated password");
        // with no password, the driver gives up itself once the server asks for SCRAM: still a refusal by the server
        boolean serverAskedForPassword =
                String.valueOf(refused.getMessage()).contains("requested SCRAM-based authentication");
        assertTrue(
                serverAskedForPassword || String.valueOf(refused.getSQLState()).startsWith("28"),
                "not an authentication failure: " + refused);
    }

    /** What stopped a client with this login (a wrong password, or a plain client timing out on the SASL listener). */
    private static Throwable assertKafkaRefuses(String bootstrap, KafkaLogin login) {
        ExecutionException refused = assertThrows(
                ExecutionException.class, () -> topics(bootstrap, login), "Kafka served a client with " + login);
        return refused.getCause();
    }

    private static Set<String> topics(String bootstrap, KafkaLogin login) throws Exception {
        Map<String, Object> settings = login.clientSettings(bootstrap);
        settings.put("request.timeout.ms", 3000);
        settings.put("default.api.timeout.ms", 5000);
        try (Admin admin = Admin.create(settings)) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        }
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static void stop(Process infra) throws InterruptedException {
        infra.destroy();
        if (!infra.waitFor(90, TimeUnit.SECONDS)) {
            infra.destroyForcibly().waitFor();
        }
    }
}
