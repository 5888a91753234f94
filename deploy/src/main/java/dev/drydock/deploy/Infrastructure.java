package dev.drydock.deploy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The single-machine default's stateful half: a real PostgreSQL (embedded binaries from Maven
 * Central) and a real Kafka broker (KRaft, jars from Maven Central), each unless an existing one
 * is given, plus the event log topics. Everything lives under the data directory. Writes
 * {@code run/infra.env} for the services once both are ready, then runs until it is stopped.
 *
 * <p>Settings come from the environment: {@code DRYDOCK_DATA_DIR}, {@code DRYDOCK_DB_URL}
 * (an existing server's JDBC URL, with {@code DRYDOCK_DB_USER} and {@code DRYDOCK_DB_PASSWORD}),
 * {@code DRYDOCK_PG_PORT} (embedded server, default 15432), {@code DRYDOCK_KAFKA_BOOTSTRAP} (an
 * existing cluster) and {@code DRYDOCK_KAFKA_PORT} (embedded broker, default 9092; its controller
 * listens on the next port).
 */
public final class Infrastructure {

    static final String DATABASE = "drydock";
    static final String ROLE = "drydock";

    private Infrastructure() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(env("DRYDOCK_DATA_DIR", ".drydock")).toAbsolutePath();
        Path runDir = Files.createDirectories(dataDir.resolve("run"));
        Path readyFile = runDir.resolve("infra.env");
        Files.deleteIfExists(readyFile);

        Map<String, String> ready = new LinkedHashMap<>();
        EmbeddedPostgres postgres = null;
        String externalDb = System.getenv("DRYDOCK_DB_URL");
        if (externalDb != null && !externalDb.isBlank()) {
            DatabaseUrl db = DatabaseUrl.parse(externalDb, env("DRYDOCK_DB_USER", ROLE), env("DRYDOCK_DB_PASSWORD", ""));
            checkConnection(db);
            ready.put("DB_JDBC_URL", db.jdbcUrl());
            ready.put("DB_USER", db.user());
            ready.put("DB_PASSWORD", db.password());
            log("using the PostgreSQL server at " + db);
        } else {
            int port = Integer.parseInt(env("DRYDOCK_PG_PORT", "15432"));
            postgres = startPostgres(dataDir.resolve("postgres"), port);
            ready.put("DB_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE);
            ready.put("DB_USER", ROLE);
            ready.put("DB_PASSWORD", ROLE);
        }

        KafkaBroker broker = null;
        String bootstrap = System.getenv("DRYDOCK_KAFKA_BOOTSTRAP");
        if (bootstrap == null || bootstrap.isBlank()) {
            int port = Integer.parseInt(env("DRYDOCK_KAFKA_PORT", "9092"));
            broker = new KafkaBroker(dataDir.resolve("kafka"), dataDir.resolve("logs"), runDir, port, port + 1);
            broker.start();
            bootstrap = broker.bootstrap();
        } else {
            log("using the Kafka cluster at " + bootstrap);
        }
        ready.put("KAFKA_BOOTSTRAP", bootstrap);
        EventTopics.ensure(bootstrap);

        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedPostgres pg = postgres;
        KafkaBroker kafka = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("stopping");
            if (kafka != null) {
                kafka.stop();
            }
            if (pg != null) {
                try {
                    pg.close();
                } catch (IOException e) {
                    log("PostgreSQL did not stop cleanly: " + e.getMessage());
                }
            }
            stopped.countDown();
        }, "drydock-infra-stop"));

        StringBuilder env = new StringBuilder();
        ready.forEach((k, v) -> env.append(k).append('=').append(v).append('\n'));
        Files.writeString(readyFile, env);
        log("READY " + String.join(" ", ready.entrySet().stream()
                .filter(e -> !e.getKey().equals("DB_PASSWORD")).map(Map.Entry::toString).toList()));
        if (postgres == null && broker == null) {
            return;
        }
        stopped.await();
    }

    private static EmbeddedPostgres startPostgres(Path dir, int port) throws IOException, SQLException {
        Files.createDirectories(dir);
        log("starting PostgreSQL on 127.0.0.1:" + port + ", data in " + dir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // the embedding library starts PostgreSQL for tests: -F (fsync off) and
                // synchronous_commit=off. An acknowledged push must survive a crash, so both are
                // turned back on (a later -c wins over -F) and checked below.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        requireDurable(postgres);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            if (!exists(s, "SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "'")) {
                s.execute("CREATE ROLE " + ROLE + " LOGIN CREATEDB PASSWORD '" + ROLE + "'");
            }
            if (!exists(s, "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                s.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
            }
        }
        return postgres;
    }

    /** Refuses to go on with a PostgreSQL that would acknowledge commits it can lose in a crash. */
    private static void requireDurable(EmbeddedPostgres postgres) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    if (!rs.getString(1).equals("on")) {
                        throw new IllegalStateException("PostgreSQL runs with " + setting + "=" + rs.getString(1)
                                + ": acknowledged pushes could be lost in a crash; refusing to start");
                    }
                }
            }
        }
        log("PostgreSQL durability: fsync, synchronous_commit and full_page_writes are on");
    }

    private static void checkConnection(DatabaseUrl db) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            c.isValid(5);
        }
    }

    private static boolean exists(Statement s, String query) throws SQLException {
        try (ResultSet rs = s.executeQuery(query)) {
            return rs.next();
        }
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static void log(String message) {
        System.out.println("[drydock-infra] " + message);
        System.out.flush();
    }
}
