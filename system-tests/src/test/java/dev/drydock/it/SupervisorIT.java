package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, finding 7: {@code ./drydock up} itself, on a data directory and ports of its own. A
 * service, PostgreSQL, Kafka and the launcher are each killed with SIGKILL; each comes back by
 * itself (the supervisor restarts the services and the launcher, the launcher PostgreSQL and
 * Kafka), {@code ./drydock status} says what runs at every step, and what was pushed before is
 * still there. {@code ./drydock down} then leaves no process of it behind.
 */
class SupervisorIT {

    private static final String REPOSITORY = "supervised/app";
    private static final Duration COMES_BACK = Duration.ofSeconds(150);

    private final Path data = Path.of(
                    "target", "supervised-" + UUID.randomUUID().toString().substring(0, 8))
            .toAbsolutePath();
    private final String adminPassword = "admin-" + UUID.randomUUID();
    private final int registryPort = Ports.free();
    /** The script's settings: this test's data directory and ports, never the default ones of a real install. */
    private final Map<String, String> env = new LinkedHashMap<>();

    SupervisorIT() {
        env.put("DRYDOCK_DATA_DIR", data.toString());
        env.put("DRYDOCK_ADMIN_PASSWORD", adminPassword);
        env.put("DRYDOCK_REGISTRY_PORT", Integer.toString(registryPort));
        env.put("DRYDOCK_LAYER_STORE_PORT", Integer.toString(Ports.free()));
        env.put("DRYDOCK_AUDIT_PORT", Integer.toString(Ports.free()));
        env.put("DRYDOCK_PORTAL_PORT", Integer.toString(Ports.free()));
        env.put("DRYDOCK_PG_PORT", Integer.toString(Ports.free()));
        env.put("DRYDOCK_KAFKA_PORT", Integer.toString(Ports.free())); // and the port after it, for the controller
    }

    @AfterEach
    void down() {
        script("down");
    }

    @Test
    void whateverIsKilledComesBackAndStatusSaysSo() throws Exception {
        Commands.Result up = script("up");
        assertEquals(0, up.exitCode(), up.output());

        Commands.Result status = script("status");
        assertEquals(0, status.exitCode(), status.output());
        assertTrue(status.output().contains("fsync, synchronous_commit and full_page_writes are on"), status.output());
        byte[] first = pushBlob(1);

        long registryApi = pid("registry-api");
        kill(registryApi);
        awaitAllReadyAgain("registry-api", registryApi, () -> pid("registry-api"));

        long postmaster = postmasterPid();
        kill(postmaster);
        awaitAllReadyAgain("PostgreSQL", postmaster, this::postmasterPid);
        assertArrayEquals(first, pull(first));
        pushBlob(2);

        long kafka = pid("kafka");
        kill(kafka);
        awaitAllReadyAgain("Kafka", kafka, () -> pid("kafka"));

        long launcher = pid("infra");
        long postmasterBefore = postmasterPid();
        kill(launcher);
        awaitAllReadyAgain("the launcher", launcher, () -> pid("infra"));
        assertNotEquals(postmasterBefore, postmasterPid(), "the new launcher took over the old launcher's PostgreSQL");
        assertArrayEquals(first, pull(first));
        byte[] third = pushBlob(3);
        assertArrayEquals(third, pull(third));

        String supervisorLog = Files.readString(data.resolve("logs").resolve("supervisor.log"));
        assertTrue(supervisorLog.contains("registry-api is not running; starting it"), supervisorLog);
        assertTrue(supervisorLog.contains("infra is not running; starting it"), supervisorLog);
        String launcherLog = Files.readString(data.resolve("logs").resolve("infra.log"));
        assertTrue(launcherLog.contains("PostgreSQL is not running; restarting it"), launcherLog);
        assertTrue(launcherLog.contains("Kafka is not running; restarting it"), launcherLog);
        assertFalse(
                launcherLog.contains("from before sign-in"), "a restarted Kafka ran without sign-in:\n" + launcherLog);

        Commands.Result down = script("down");
        assertEquals(0, down.exitCode(), down.output());
        assertEquals(3, script("status").exitCode(), "status after down");
        assertEquals(List.of(), processesOf(data), "processes of the stopped platform still run");
    }

    /** Waits until status answers 0 again (every part ready) with a new process where {@code old} was killed. */
    private void awaitAllReadyAgain(String what, long old, PidSource now) {
        await(what + " back")
                .atMost(COMES_BACK)
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    Commands.Result status = script("status");
                    assertEquals(0, status.exitCode(), "after " + what + " was killed:\n" + status.output());
                    assertNotEquals(old, now.pid());
                });
    }

    private interface PidSource {
        long pid() throws Exception;
    }

    private long pid(String component) throws IOException {
        return Long.parseLong(Files.readString(data.resolve("run").resolve(component + ".pid"))
                .trim());
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"))
                .get(0)
                .trim());
    }

    private static void kill(long pid) throws Exception {
        assertEquals(
                0,
                new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor());
    }

    private Commands.Result script(String command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(
                            "bash",
                            Path.of("..", "drydock")
                                    .toAbsolutePath()
                                    .normalize()
                                    .toString(),
                            command)
                    .redirectErrorStream(true);
            // nothing of the test run's own settings (its Kafka, its database) reaches this install
            builder.environment().keySet().removeIf(name -> name.startsWith("DRYDOCK_") || name.startsWith("QUARKUS_"));
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
            return new Commands.Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String bearer() {
        return "Bearer "
                + RestAssured.given()
                        .baseUri("http://127.0.0.1:" + registryPort)
                        .auth()
                        .preemptive()
                        .basic("admin", adminPassword)
                        .queryParam("scope", "repository:" + REPOSITORY + ":pull,push")
                        .get("/token")
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("token");
    }

    private byte[] pushBlob(long seed) throws Exception {
        byte[] blob = new byte[256 * 1024];
        new Random(seed).nextBytes(blob);
        RestAssured.given()
                .baseUri("http://127.0.0.1:" + registryPort)
                .header("Authorization", bearer())
                .contentType("application/octet-stream")
                .queryParam("digest", digest(blob))
                .body(blob)
                .post("/v2/" + REPOSITORY + "/blobs/uploads/")
                .then()
                .statusCode(201);
        return blob;
    }

    private byte[] pull(byte[] blob) throws Exception {
        return RestAssured.given()
                .baseUri("http://127.0.0.1:" + registryPort)
                .header("Authorization", bearer())
                .get("/v2/" + REPOSITORY + "/blobs/" + digest(blob))
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
    }

    private static String digest(byte[] bytes) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Processes whose command line names the data directory: the services, the launcher, PostgreSQL, Kafka. */
    private static List<String> processesOf(Path data) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes
                    .filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    String command = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (command.contains(data.toString())) {
                        found.add(process.getFileName() + ": " + command);
                    }
                } catch (IOException gone) {
                    // ended while being read
                }
            }
        }
        return found;
    }
}
