package dev.drydock.it;

import dev.drydock.events.KafkaLogin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Where the tests' PostgreSQL and Kafka are and how to sign in to them: the shared ones that
 * {@code ./drydock test} starts (credentials in the environment it sets), or a test's own, read
 * from the {@code run/infra.env} its launcher wrote.
 */
final class TestInfra {

    private TestInfra() {}

    /** A Kafka cluster and its login. */
    record Kafka(String bootstrap, KafkaLogin login) {

        static Kafka shared() {
            return new Kafka(System.getProperty("drydock-test.kafka", "127.0.0.1:29092"), KafkaLogin.fromEnvironment());
        }

        /** Client settings, mutable, for a test's own consumers. */
        Map<String, Object> clientSettings() {
            return login.clientSettings(bootstrap);
        }
    }

    /** A PostgreSQL server (a JDBC URL of one of its databases) and the password of the drydock role. */
    record Database(String url, String password) {

        static Database shared() {
            String password = System.getenv("DRYDOCK_TEST_DB_PASSWORD");
            return new Database(
                    System.getProperty("drydock-test.db-url", "jdbc:postgresql://127.0.0.1:25432/drydock"),
                    password == null ? "drydock" : password);
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, "drydock", password);
        }
    }

    /** The settings a launcher left in {@code <dataDir>/run/infra.env} ({@code NAME='value'} lines). */
    static Map<String, String> launched(Path dataDir) throws IOException {
        Map<String, String> settings = new HashMap<>();
        for (String line : Files.readAllLines(dataDir.resolve("run").resolve("infra.env"))) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                String value = line.substring(equals + 1);
                if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                    value = value.substring(1, value.length() - 1).replace("'\\''", "'");
                }
                settings.put(line.substring(0, equals), value);
            }
        }
        return settings;
    }

    /**
     * Starts the launcher of {@code ./drydock up} on {@code dataDir} with these settings and waits
     * until it has written {@code run/infra.env}. Stop it with {@link Process#destroy()}.
     */
    static Process launch(Path dataDir, Map<String, String> env) throws IOException {
        Files.createDirectories(dataDir);
        Files.deleteIfExists(dataDir.resolve("run").resolve("infra.env"));
        Path deploy = Path.of("..", "deploy", "target").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        deploy.resolve("drydock-deploy.jar") + ":" + deploy.resolve("lib") + "/*",
                        "dev.drydock.deploy.Infrastructure")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dataDir.resolve("infra.log").toFile()));
        builder.environment().put("DRYDOCK_DATA_DIR", dataDir.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (!Files.exists(dataDir.resolve("run").resolve("infra.env"))) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                process.destroyForcibly();
                throw new IllegalStateException("the launcher did not start; see " + dataDir.resolve("infra.log"));
            }
            Platform.sleep(200);
        }
        return process;
    }

    static Kafka launchedKafka(Path dataDir) throws IOException {
        Map<String, String> settings = launched(dataDir);
        return new Kafka(
                settings.get("KAFKA_BOOTSTRAP"),
                new KafkaLogin(settings.get("KAFKA_USERNAME"), settings.get("KAFKA_PASSWORD")));
    }

    static Database launchedDatabase(Path dataDir) throws IOException {
        Map<String, String> settings = launched(dataDir);
        return new Database(settings.get("DB_JDBC_URL"), settings.get("DB_PASSWORD"));
    }

    /**
     * The launcher of {@code ./drydock up} for PostgreSQL only, on {@code dataDir} at {@code pgPort}
     * (Kafka is the tests' own), for tests that kill the database.
     */
    static Process launchPostgres(Path dataDir, int pgPort, Kafka kafka) throws IOException {
        return launch(
                dataDir,
                Map.of(
                        "DRYDOCK_PG_PORT",
                        Integer.toString(pgPort),
                        "DRYDOCK_KAFKA_BOOTSTRAP",
                        kafka.bootstrap(),
                        "DRYDOCK_KAFKA_USERNAME",
                        kafka.login().signsIn() ? kafka.login().username() : "",
                        "DRYDOCK_KAFKA_PASSWORD",
                        kafka.login().password()));
    }

    /** The process id of the postmaster the launcher on {@code dataDir} started. */
    static long postmaster(Path dataDir) throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"))
                .get(0)
                .strip());
    }

    /** SIGKILL of the postmaster and of its launcher, then waits until it is gone and its backends have noticed. */
    static void killPostgres(Path dataDir, Process launcher) throws IOException, InterruptedException {
        long postmaster = postmaster(dataDir);
        ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
        launcher.destroyForcibly();
        launcher.waitFor();
        awaitGone(postmaster);
    }

    static void awaitGone(long pid) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        Platform.sleep(1000); // its backends notice the postmaster's death and exit
    }
}
