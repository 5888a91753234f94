package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL of its own, started by the same launcher as {@code ./drydock up}, is killed with
 * SIGKILL three times while manifests are pushed; after each restart every push that was answered
 * 201 is there with the digest it was answered with. (With the embedding library's test defaults
 * — fsync and synchronous_commit off — acknowledged pushes were lost this way.)
 */
class PostgresKillIT {

    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String REPOSITORY = "kill/postgres";

    @TempDir
    Path work;

    @Test
    void everyPushAnswered201BeforeSigkillOfPostgresIsThereAfterItsRestart() throws Exception {
        TestInfra.Kafka kafka = TestInfra.Kafka.shared();
        int pgPort = Ports.free();
        Path data = work.resolve("infra");
        Process infra = TestInfra.launchPostgres(data, pgPort, kafka);
        Platform platform = null;
        try {
            platform = Platform.isolated(kafka, TestInfra.launchedDatabase(data));
            String bearer = platform.adminBearer(REPOSITORY);
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            int refused = 0;
            long slowestReadiness = 0;
            for (int round = 1; round <= 3; round++) {
                AtomicBoolean pushing = new AtomicBoolean(true);
                Platform target = platform;
                int r = round;
                int[] failures = {0};
                Thread pusher = new Thread(() -> {
                    for (int i = 0; pushing.get(); i++) {
                        String tag = "r" + r + "-" + i;
                        try {
                            Response put = push(target, bearer, tag);
                            if (put.statusCode() == 201) {
                                acknowledged.put(tag, put.header("Docker-Content-Digest"));
                            } else {
                                failures[0]++;
                            }
                        } catch (Exception e) { // RestAssured throws a refused connection's checked exception unwrapped
                            failures[0]++; // the connection failed: not acknowledged
                        }
                    }
                });
                pusher.start();
                Platform.sleep(2500);
                TestInfra.killPostgres(data, infra);
                Platform.sleep(500); // pushes meet the dead database
                pushing.set(false);
                pusher.join();
                refused += failures[0];
                // readiness tells the truth at once: no service can do its job without the database
                for (int port : new int[] {platform.registryPort, platform.layerStorePort, platform.auditPort}) {
                    Platform.Readiness readiness = Platform.readiness(port);
                    slowestReadiness = Math.max(slowestReadiness, readiness.millis());
                    assertEquals(503, readiness.status(), "readiness of port " + port + " with the database dead");
                    assertTrue(
                            readiness.millis() < 1000,
                            "readiness of port " + port + " took " + readiness.millis() + " ms with the database dead");
                }
                infra = TestInfra.launchPostgres(data, pgPort, kafka);
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> push(target, bearer, "after-" + r).statusCode() == 201);
            }
            System.out.printf(
                    "PostgresKillIT: %d pushes answered 201, %d refused or failed across 3 kills;"
                            + " readiness answered 503 within %d ms%n",
                    acknowledged.size(), refused, slowestReadiness);
            assertTrue(acknowledged.size() >= 30, "too few pushes to count on: " + acknowledged.size());
            assertTrue(refused > 0, "no push met the dead database: the kill came too late to prove anything");
            // a database that hangs (every PostgreSQL process frozen) rather than dies: readiness still
            // answers within a second, and says DOWN once the last answer is too old
            List<Long> frozen = new ArrayList<>();
            long postmaster = TestInfra.postmaster(data);
            frozen.add(postmaster);
            ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(child -> frozen.add(child.pid())));
            signal("STOP", frozen);
            try {
                for (int port : new int[] {platform.registryPort, platform.layerStorePort, platform.auditPort}) {
                    await().atMost(Duration.ofSeconds(15))
                            .pollInterval(Duration.ofMillis(500))
                            .untilAsserted(() -> {
                                Platform.Readiness readiness = Platform.readiness(port);
                                assertTrue(
                                        readiness.millis() < 1000,
                                        "readiness of port " + port + " took " + readiness.millis()
                                                + " ms with the database frozen");
                                assertEquals(
                                        503,
                                        readiness.status(),
                                        "readiness of port " + port + " with the database frozen");
                            });
                }
            } finally {
                signal("CONT", frozen);
            }
            for (int port : new int[] {platform.registryPort, platform.layerStorePort, platform.auditPort}) {
                String ready = "http://127.0.0.1:" + port + "/q/health/ready";
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> RestAssured.given().get(ready).statusCode() == 200);
            }
            for (Map.Entry<String, String> push : acknowledged.entrySet()) {
                Response get = RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .header("Authorization", bearer)
                        .accept(INDEX)
                        .get("/v2/" + REPOSITORY + "/manifests/" + push.getKey());
                assertEquals(200, get.statusCode(), push.getKey() + " was answered 201 and is gone");
                assertEquals(push.getValue(), get.header("Docker-Content-Digest"), push.getKey());
            }
        } finally {
            if (platform != null) {
                platform.stop();
            }
            infra.destroy();
            infra.waitFor();
        }
    }

    private static void signal(String name, List<Long> pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + name));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private static Response push(Platform platform, String bearer, String tag) {
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[],"
                + "\"annotations\":{\"drydock.test/push\":\"" + tag + "\"}}";
        return RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType(INDEX)
                .body(manifest)
                .put("/v2/" + REPOSITORY + "/manifests/" + tag);
    }
}
