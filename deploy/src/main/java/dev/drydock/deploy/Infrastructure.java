package dev.drydock.deploy;

import dev.drydock.events.KafkaLogin;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;

/**
 * The single-machine default's stateful half: a real PostgreSQL (embedded binaries from Maven
 * Central) and a real Kafka broker (KRaft, jars from Maven Central), each unless an existing one
 * is given, plus the event log topics. Everything lives under the data directory. Writes
 * {@code run/infra.env} for the services once both are ready, then runs until it is stopped.
 *
 * <p>Settings come from the environment: {@code DRYDOCK_DATA_DIR}, {@code DRYDOCK_DB_URL}
 * (an existing server's JDBC URL, with {@code DRYDOCK_DB_USER} and {@code DRYDOCK_DB_PASSWORD}),
 * {@code DRYDOCK_PG_PORT} (embedded server, default 15432), {@code DRYDOCK_KAFKA_BOOTSTRAP} (an
 * existing cluster, with {@code DRYDOCK_KAFKA_USERNAME} and {@code DRYDOCK_KAFKA_PASSWORD} when it
 * wants SASL/SCRAM) and {@code DRYDOCK_KAFKA_PORT} (embedded broker, default 9092; its controller
 * listens on the next port).
 *
 * <p>The embedded servers take no one without a password: PostgreSQL's superuser and the services'
 * role, Kafka's one SCRAM user and its controller's login all have passwords generated on first
 * start and kept in {@code secrets/} (see {@link Secrets}); {@code run/infra.env}, which hands them
 * to the services, is readable by this user only.
 */
public final class Infrastructure {

    static final String DATABASE = "drydock";
    static final String ROLE = "drydock";

    private Infrastructure() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(env("DRYDOCK_DATA_DIR", ".drydock")).toAbsolutePath();
        Path runDir = Files.createDirectories(dataDir.resolve("run"));
        Path readyFile = runDir.resolve("infra.env");
        Files.deleteIfExists(readyFile);

        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        Secrets secrets = new Secrets(dataDir);
        Map<String, String> ready = new LinkedHashMap<>();
        // registered first: whatever has started is stopped, even when a later step fails or a
        // signal comes while Kafka runs its one start without sign-in
        AtomicReference<EmbeddedPostgres> pg = new AtomicReference<>();
        AtomicReference<KafkaBroker> kafka = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stopping.set(true);
                            synchronized (stopping) { // not while the watch below restarts one of them
                                log("stopping");
                            }
                            if (kafka.get() != null) {
                                kafka.get().stop();
                            }
                            if (pg.get() != null) {
                                try {
                                    pg.get().close();
                                } catch (IOException e) {
                                    log("PostgreSQL did not stop cleanly: " + e.getMessage());
                                }
                            }
                            stopped.countDown();
                        },
                        "drydock-infra-stop"));
        String externalDb = System.getenv("DRYDOCK_DB_URL");
        if (externalDb != null && !externalDb.isBlank()) {
            DatabaseUrl db =
                    DatabaseUrl.parse(externalDb, env("DRYDOCK_DB_USER", ROLE), env("DRYDOCK_DB_PASSWORD", ""));
            checkConnection(db);
            ready.put("DB_JDBC_URL", db.jdbcUrl());
            ready.put("DB_USER", db.user());
            ready.put("DB_PASSWORD", db.password());
            log("using the PostgreSQL server at " + db);
        } else {
            int port = Integer.parseInt(env("DRYDOCK_PG_PORT", "15432"));
            String password = secrets.get("db-password");
            pg.set(startPostgres(dataDir.resolve("postgres"), port, secrets, password));
            ready.put("DB_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE);
            ready.put("DB_USER", ROLE);
            ready.put("DB_PASSWORD", password);
        }

        String bootstrap = System.getenv("DRYDOCK_KAFKA_BOOTSTRAP");
        KafkaLogin kafkaLogin;
        if (bootstrap == null || bootstrap.isBlank()) {
            int port = Integer.parseInt(env("DRYDOCK_KAFKA_PORT", "9092"));
            KafkaBroker broker =
                    new KafkaBroker(dataDir.resolve("kafka"), dataDir.resolve("logs"), runDir, port, port + 1, secrets);
            kafka.set(broker);
            broker.start();
            bootstrap = broker.bootstrap();
            kafkaLogin = broker.login();
        } else {
            kafkaLogin = KafkaLogin.fromEnvironment();
            log("using the Kafka cluster at " + bootstrap + " (" + kafkaLogin + ")");
        }
        ready.put("KAFKA_BOOTSTRAP", bootstrap);
        ready.put("KAFKA_USERNAME", kafkaLogin.signsIn() ? kafkaLogin.username() : "");
        ready.put("KAFKA_PASSWORD", kafkaLogin.password());
        EventTopics.ensure(bootstrap, kafkaLogin);
        if (kafka.get() != null) {
            kafka.get().removeOtherUsers();
        }

        StringBuilder env = new StringBuilder();
        ready.forEach((k, v) -> env.append(k).append('=').append(shellQuoted(v)).append('\n'));
        Secrets.writePrivate(readyFile, env.toString());
        log("READY "
                + String.join(
                        " ",
                        ready.entrySet().stream()
                                .filter(e -> !e.getKey().endsWith("_PASSWORD"))
                                .map(Map.Entry::toString)
                                .toList()));
        if (pg.get() == null && kafka.get() == null) {
            return;
        }
        Path pgDir = dataDir.resolve("postgres");
        int pgPort = Integer.parseInt(env("DRYDOCK_PG_PORT", "15432"));
        Restarts postgresRestarts = new Restarts("PostgreSQL");
        Restarts kafkaRestarts = new Restarts("Kafka");
        while (!stopped.await(WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
            synchronized (stopping) {
                if (stopping.get()) {
                    continue;
                }
                if (pg.get() != null && !postmasterAlive(pgDir)) {
                    postgresRestarts.attempt(() -> {
                        closeQuietly(pg.get()); // the dead one's lock on the data directory is let go
                        pg.set(startPostgres(pgDir, pgPort, secrets, secrets.get("db-password")));
                    });
                }
                if (kafka.get() != null && !kafka.get().alive()) {
                    kafkaRestarts.attempt(() -> kafka.get().start());
                }
            }
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            log("PostgreSQL's remains: " + e.getMessage());
        }
    }

    /** How often the launcher looks whether PostgreSQL and Kafka still run. */
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    /** Whether the postmaster named in the data directory's lock file runs. */
    private static boolean postmasterAlive(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            // alive, and a postmaster of this data directory: not another process given its PID since
            return !lines.isEmpty()
                    && ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
                            .filter(ProcessHandle::isAlive)
                            .flatMap(process -> process.info().commandLine())
                            .map(command -> command.contains(dataDir.toString()))
                            .orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false; // no lock file: PostgreSQL is not running
        }
    }

    /**
     * Restarts of one component that died: each logged, the next attempt after a back-off that
     * doubles from 1 s to 30 s while they fail, and starts again at 1 s once one succeeds.
     */
    private static final class Restarts {

        interface Start {
            void run() throws Exception;
        }

        private final String component;
        private Duration backoff = Duration.ofSeconds(1);
        private Instant next = Instant.EPOCH;
        private int count;

        Restarts(String component) {
            this.component = component;
        }

        void attempt(Start start) {
            if (Instant.now().isBefore(next)) {
                return;
            }
            count++;
            log(component + " is not running; restarting it (restart " + count + ")");
            try {
                start.run();
                log(component + " is running again");
                backoff = Duration.ofSeconds(1);
                next = Instant.EPOCH;
            } catch (Exception e) {
                log(component + " did not start: " + e.getMessage() + "; next attempt in " + backoff.toSeconds()
                        + " s");
                next = Instant.now().plus(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * Starts the embedded PostgreSQL with password authentication for everyone. A new cluster is
     * created with SCRAM authentication and the superuser's password from {@code secrets/} (the
     * embedding library runs {@code initdb -A trust}, but passes its "locale" options after that,
     * and initdb takes the last {@code --auth}). The access rules are rewritten before every start.
     * A cluster whose superuser password is not known — one from before Drydock had credentials,
     * or whose {@code secrets/postgres-password} was deleted to replace it — is started once with
     * the superuser trusted from this machine, given the password, and the trust withdrawn at once,
     * before the services are told where the database is.
     */
    private static EmbeddedPostgres startPostgres(Path dir, int port, Secrets secrets, String rolePassword)
            throws IOException, SQLException {
        Files.createDirectories(dir);
        log("starting PostgreSQL on 127.0.0.1:" + port + ", data in " + dir);
        boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
        boolean superPasswordKnown =
                fresh || (secrets.has("postgres-password") && Files.exists(dir.resolve(PASSWORD_SET)));
        String superPassword = secrets.get("postgres-password");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port)
                // the library's 10 s is short for a start after a crash, which replays the WAL first
                .setPGStartupWait(Duration.ofSeconds(120))
                .setLocaleConfig("auth", "scram-sha-256")
                .setLocaleConfig("pwfile", secrets.path("postgres-password").toString())
                .setConnectConfig("password", superPassword)
                .setDataDirectoryCustomizer(data -> writeAccessRules(data.toPath(), superPasswordKnown))
                .setServerConfig("listen_addresses", "127.0.0.1")
                // the embedding library starts PostgreSQL for tests: -F (fsync off) and
                // synchronous_commit=off. An acknowledged push must survive a crash, so both are
                // turned back on (a later -c wins over -F) and checked below.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            PGConnection pg = c.unwrap(PGConnection.class);
            if (!superPasswordKnown) {
                pg.alterUserPassword("postgres", superPassword.toCharArray(), "scram-sha-256");
                writeAccessRules(dir, true);
                s.execute("SELECT pg_reload_conf()");
                log("PostgreSQL: the superuser has a new password; no login is trusted any more");
            }
            Secrets.writePrivate(dir.resolve(PASSWORD_SET), "");
            if (!exists(s, "SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "'")) {
                s.execute("CREATE ROLE " + ROLE + " LOGIN CREATEDB");
            }
            // every start: a changed secrets/db-password takes effect, and installs from before
            // generated passwords lose the old well-known one (hashed here: no password in SQL text)
            pg.alterUserPassword(ROLE, rolePassword.toCharArray(), "scram-sha-256");
            if (!exists(s, "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                s.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
            }
        }
        requireDurable(postgres);
        return postgres;
    }

    /**
     * In PostgreSQL's data directory: the superuser's password there is the one in secrets/. Kept
     * with the data, so that a new cluster, or a deleted password file, is noticed.
     */
    private static final String PASSWORD_SET = "drydock-superuser-password-set";

    /** pg_hba.conf: SCRAM passwords for every login; until the superuser's is set, it from this machine. */
    private static void writeAccessRules(Path dataDir, boolean superPasswordKnown) {
        String rules = "# Written by Drydock's launcher on every start: edits here are lost.\n"
                + (superPasswordKnown ? "" : "host all postgres 127.0.0.1/32 trust\n")
                + "local all all scram-sha-256\n"
                + "host all all 127.0.0.1/32 scram-sha-256\n"
                + "host all all ::1/128 scram-sha-256\n";
        try {
            Files.writeString(dataDir.resolve("pg_hba.conf"), rules);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PostgreSQL's access rules", e);
        }
    }

    /** For infra.env, which the launcher script sources. */
    private static String shellQuoted(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Refuses to go on with a PostgreSQL that would acknowledge commits it can lose in a crash. */
    private static void requireDurable(EmbeddedPostgres postgres) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
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
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
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
