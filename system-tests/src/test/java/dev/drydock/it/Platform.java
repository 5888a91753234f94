package dev.drydock.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The four packaged services, started once per test JVM as separate processes on free ports,
 * against the PostgreSQL and Kafka that {@code ./drydock test} runs. Each run gets a database of
 * its own and its own consumer group, so runs and the modules' own tests never see each other's
 * state. Stopped by a shutdown hook.
 */
public final class Platform {

    private static Platform instance;

    public final int registryPort = Ports.free();
    public final int layerStorePort = Ports.free();
    public final int auditPort = Ports.free();
    public final int portalPort = Ports.free();
    /** A second front door on the same state that answers blob GETs with 307 redirects to layer-store. */
    public final int redirectingRegistryPort = Ports.free();

    public final Path dataDir;
    public final TestInfra.Kafka kafka;
    /** The platform admin's password; {@link #ADMIN} may push anywhere. */
    public final String adminPassword = "admin-" + UUID.randomUUID();

    public static final String ADMIN = "admin";
    private final List<Process> processes = new ArrayList<>();
    private TestInfra.Database dbServer = TestInfra.Database.shared();
    /** The JDBC URL of this platform's own database (set once it started). */
    private String database;
    /** Environment variables a test sets on top of the platform's own. */
    private final Map<String, String> settings = new LinkedHashMap<>();

    public static synchronized Platform get() {
        if (instance == null) {
            instance = new Platform(TestInfra.Kafka.shared());
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
            instance.start(true, true);
        }
        return instance;
    }

    /**
     * A platform of its own (registry-api, layer-store, audit-service; no portal) on a database of
     * its own and the given Kafka, for tests that take Kafka or a service away. Stop it with {@link #stop()}.
     */
    static Platform isolated(TestInfra.Kafka kafka) {
        return isolated(kafka, TestInfra.Database.shared());
    }

    /** As {@link #isolated(TestInfra.Kafka)}, with its database on the PostgreSQL server {@code dbServer}. */
    static Platform isolated(TestInfra.Kafka kafka, TestInfra.Database dbServer) {
        return isolated(kafka, dbServer, Map.of());
    }

    /** As {@link #isolated(TestInfra.Kafka)}, with these environment variables set for every service. */
    static Platform isolated(TestInfra.Kafka kafka, Map<String, String> settings) {
        return isolated(kafka, TestInfra.Database.shared(), settings);
    }

    /** As {@link #isolated(TestInfra.Kafka, Map)}, with the portal too. */
    static Platform isolatedWithPortal(TestInfra.Kafka kafka, Map<String, String> settings) {
        return isolated(kafka, TestInfra.Database.shared(), settings, true);
    }

    /** As {@link #isolated(TestInfra.Kafka, TestInfra.Database)}, with these environment variables set for every service. */
    static Platform isolated(TestInfra.Kafka kafka, TestInfra.Database dbServer, Map<String, String> settings) {
        return isolated(kafka, dbServer, settings, false);
    }

    private static Platform isolated(
            TestInfra.Kafka kafka, TestInfra.Database dbServer, Map<String, String> settings, boolean withPortal) {
        Platform platform = new Platform(kafka);
        platform.dbServer = dbServer;
        platform.settings.putAll(settings);
        try {
            platform.start(withPortal, false);
        } catch (RuntimeException e) {
            platform.stop(); // what did start must not outlive the failed test
            throw e;
        }
        return platform;
    }

    private Platform(TestInfra.Kafka kafka) {
        this.kafka = kafka;
        try {
            dataDir = Files.createTempDirectory(Path.of("target"), "platform-").toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String registry() {
        return "127.0.0.1:" + registryPort;
    }

    public URI registryUrl(String path) {
        return URI.create("http://" + registry() + path);
    }

    public URI portalUrl(String path) {
        return URI.create("http://127.0.0.1:" + portalPort + path);
    }

    /** skopeo's and podman's {@code --creds} for the admin. */
    public String adminCreds() {
        return ADMIN + ":" + adminPassword;
    }

    /** An {@code Authorization} header value with a registry token of the admin for these repositories. */
    public String adminBearer(String... repositories) {
        return bearer(ADMIN, adminPassword, repositories);
    }

    /** A registry token for the user (anonymous when {@code username} is null) for these repositories. */
    public String bearer(String username, String secret, String... repositories) {
        var request = io.restassured.RestAssured.given().baseUri("http://" + registry());
        if (username != null) {
            request.auth().preemptive().basic(username, secret);
        }
        request.queryParam("scope", "registry:catalog:*");
        for (String repository : repositories) {
            request.queryParam("scope", "repository:" + repository + ":pull,push,delete");
        }
        return "Bearer "
                + request.get("/token").then().statusCode(200).extract().path("token");
    }

    /** Every audit record with {@code field} = {@code value} (a query parameter of {@code /api/v1/audit}), page by page, read as the admin. */
    public List<Map<String, Object>> auditRecords(String field, String value) {
        List<Map<String, Object>> records = new ArrayList<>();
        Long cursor = null;
        do {
            var request = io.restassured.RestAssured.given()
                    .baseUri("http://" + registry())
                    .auth()
                    .preemptive()
                    .basic(ADMIN, adminPassword)
                    .queryParam(field, value)
                    .queryParam("limit", 500);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var page = request.get("/api/v1/audit")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            records.addAll(page.getList("items"));
            cursor = page.getObject("next", Long.class);
        } while (cursor != null);
        return records;
    }

    public Path blobFile(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return dataDir.resolve("blobs")
                .resolve("blobs")
                .resolve("sha256")
                .resolve(hex.substring(0, 2))
                .resolve(hex);
    }

    /** A connection to this platform's own database, as the services' role. */
    Connection connectDatabase() throws SQLException {
        return DriverManager.getConnection(database, "drydock", dbServer.password());
    }

    private void start(boolean withPortal, boolean withRedirecting) {
        database = createDatabase(dbServer);
        String group = "audit-it-" + UUID.randomUUID();
        Map<String, String> common = new LinkedHashMap<>();
        common.put("QUARKUS_DATASOURCE_JDBC_URL", database);
        common.put("QUARKUS_DATASOURCE_PASSWORD", dbServer.password());
        common.put("DRYDOCK_KAFKA_BOOTSTRAP", kafka.bootstrap());
        common.put(
                "DRYDOCK_KAFKA_USERNAME",
                kafka.login().signsIn() ? kafka.login().username() : "");
        common.put("DRYDOCK_KAFKA_PASSWORD", kafka.login().password());
        common.put("DRYDOCK_LAYER_STORE_STORAGE_DIR", dataDir.resolve("blobs").toString());
        // as ./drydock up runs it: the front door sends blob GETs from the store it shares with layer-store
        common.put("DRYDOCK_REGISTRY_BLOB_READS", "local");
        common.put("DRYDOCK_REGISTRY_STORE_DIR", dataDir.resolve("blobs").toString());
        // the tests' blobs are small: a machine with less than the default 1 GiB free still runs them
        common.put("DRYDOCK_LAYER_STORE_FREE_SPACE_RESERVE", "64M");
        common.put("DRYDOCK_REGISTRY_LAYER_STORE_URL", "http://127.0.0.1:" + layerStorePort);
        common.put("DRYDOCK_REGISTRY_AUDIT_URL", "http://127.0.0.1:" + auditPort);
        common.put("DRYDOCK_PORTAL_FRONT_DOOR_URL", "http://127.0.0.1:" + registryPort);
        common.put("DRYDOCK_PORTAL_REGISTRY_HOST", registry());
        common.put("DRYDOCK_AUDIT_CONSUMER_GROUP", group);
        common.put("DRYDOCK_LAYER_STORE_JWKS_URL", "http://127.0.0.1:" + registryPort + "/.well-known/jwks.json");
        common.put("DRYDOCK_AUDIT_JWKS_URL", "http://127.0.0.1:" + registryPort + "/.well-known/jwks.json");
        common.putAll(settings);
        launch("layer-store", layerStorePort, common);
        launch("audit-service", auditPort, common);
        Map<String, String> registryEnv = new LinkedHashMap<>(common);
        registryEnv.put("DRYDOCK_ADMIN_PASSWORD", adminPassword);
        launch("registry-api", registryPort, registryEnv);
        if (!withPortal) {
            for (int port : new int[] {layerStorePort, auditPort, registryPort}) {
                awaitReady(port);
            }
            return;
        }
        launch("web-ui", portalPort, common);
        if (!withRedirecting) {
            for (int port : new int[] {layerStorePort, auditPort, registryPort, portalPort}) {
                awaitReady(port);
            }
            return;
        }
        awaitReady(registryPort);
        Map<String, String> redirecting = new LinkedHashMap<>(registryEnv);
        redirecting.put("DRYDOCK_REGISTRY_BLOB_READS", "redirect");
        launch("registry-api", redirectingRegistryPort, redirecting);
        for (int port : new int[] {layerStorePort, auditPort, registryPort, portalPort, redirectingRegistryPort}) {
            awaitReady(port);
        }
    }

    private final Map<String, Process> byService = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> envByService = new LinkedHashMap<>();

    /** Kills a service the hard way (SIGKILL), as a crash would. */
    public void kill(String service) throws InterruptedException {
        Process process = byService.get(service);
        process.destroyForcibly();
        process.waitFor();
    }

    /** A service's readiness answer and how long it took to come. */
    record Readiness(int status, long millis) {}

    /** Asks the service on {@code port} whether it is ready, and times the answer. */
    static Readiness readiness(int port) {
        long started = System.nanoTime();
        int status = io.restassured.RestAssured.given()
                .get("http://127.0.0.1:" + port + "/q/health/ready")
                .statusCode();
        return new Readiness(status, (System.nanoTime() - started) / 1_000_000);
    }

    /** Whether the service's process lives. */
    public boolean alive(String service) {
        return byService.get(service).isAlive();
    }

    /** The process id of a running service. */
    public long pid(String service) {
        return byService.get(service).pid();
    }

    /** Starts a killed service again on its port and waits until it is ready. */
    public void restart(String service, int port) {
        launch(service, port, envByService.get(service));
        awaitReady(port);
    }

    private void launch(String service, int port, Map<String, String> env) {
        envByService.putIfAbsent(service, env);
        Path jar = Path.of("..", service, "target", "quarkus-app", "quarkus-run.jar")
                .toAbsolutePath()
                .normalize();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through the reactor (./drydock test)");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx384m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dataDir.resolve(service + "-" + port + ".log").toFile()));
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        try {
            Process process = builder.start();
            processes.add(process);
            byService.putIfAbsent(service, process);
            if (byService.get(service) != process && !byService.get(service).isAlive()) {
                byService.put(service, process);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + service, e);
        }
    }

    private void awaitReady(int port) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            for (Process process : byService.values()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("a service exited during start-up; logs are in " + dataDir);
                }
            }
            sleep(300);
        }
        throw new IllegalStateException("port " + port + " did not become ready; logs are in " + dataDir);
    }

    public void stop() {
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                if (!process.waitFor(Duration.ofSeconds(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A fresh database for this run on the test server, so earlier runs leave nothing behind. */
    private static String createDatabase(TestInfra.Database server) {
        String name =
                "drydock_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create a database on " + server.url() + ": is the test infrastructure up?", e);
        }
        return server.url().substring(0, server.url().lastIndexOf('/') + 1) + name;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
