package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing is lost and nothing counts twice: pushes and pulls go on while Kafka is down (their
 * events wait in the outbox), and audit-service killed with SIGKILL in the middle of a stream
 * ends, after a restart, with exact counts.
 */
class OutageIT {

    @TempDir
    static Path work;

    /** One broker of these tests' own, which they stop, kill and freeze, and one platform on it, shared by all four. */
    private static KafkaBrokerProcess kafka;

    private static Platform platform;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaBrokerProcess();
        kafka.start();
        platform = Platform.isolated(kafka.cluster());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (platform != null) {
                platform.stop();
            }
        } finally {
            kafka.close();
        }
    }

    private static String push(Platform platform, String repository, String architecture) {
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve(repository.replace('/', '-') + "-" + architecture));
        writer.tag("v1", writer.image(architecture, 1, 5_000));
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + writer.path() + ":v1",
                "docker://" + platform.registry() + "/" + repository + ":v1");
        return OciImages.manifestDigest(writer.path(), "v1");
    }

    /** {@code times} manifest GETs from 8 clients at once (pulls that arrive together are recorded together). */
    private static void pull(Platform platform, String repository, int times) throws Exception {
        String bearer = platform.bearer(null, null, repository);
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> gets = new java.util.ArrayList<>();
            for (int i = 0; i < times; i++) {
                gets.add(clients.submit(() -> RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .header("Authorization", bearer)
                        .accept("application/vnd.oci.image.manifest.v1+json")
                        .get("/v2/" + repository + "/manifests/v1")
                        .then()
                        .statusCode(200)));
            }
            for (java.util.concurrent.Future<?> get : gets) {
                get.get();
            }
        } finally {
            clients.shutdown();
        }
    }

    /** Every audit record of the repository, page by page. */
    private static List<Map<String, Object>> audit(Platform platform, String repository) {
        return platform.auditRecords("repository", repository);
    }

    private static long count(List<Map<String, Object>> records, String type) {
        return records.stream()
                .filter(record -> ("dev.drydock." + type).equals(record.get("type")))
                .count();
    }

    /** The pulls the audit log records: pulls that arrive together are one record with their count. */
    @SuppressWarnings("unchecked")
    private static long pulls(List<Map<String, Object>> records) {
        return records.stream()
                .filter(record -> "dev.drydock.image.pulled".equals(record.get("type")))
                .mapToLong(record -> ((Number) ((Map<String, Object>) record.get("data")).get("count")).longValue())
                .sum();
    }

    /**
     * Pushes {@code count} more manifests by HTTP, each under a tag of its own: the image's
     * manifest with an annotation that makes each one distinct.
     */
    private static void pushManifests(Platform platform, String repository, String layout, int count) throws Exception {
        var manifest =
                (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(java.nio.file.Files.readAllBytes(
                                OciImages.blobPath(Path.of(layout), OciImages.manifestDigest(Path.of(layout), "v1"))));
        String bearer = platform.adminBearer(repository);
        for (int i = 0; i < count; i++) {
            manifest.putObject("annotations").put("drydock.test/push", Integer.toString(i));
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .contentType("application/vnd.oci.image.manifest.v1+json")
                    .body(manifest.toString())
                    .put("/v2/" + repository + "/manifests/t" + i)
                    .then()
                    .statusCode(201);
        }
    }

    @Test
    void pushesAndPullsDuringAKafkaOutageAreAllProjectedExactlyOnceAfterwards() throws Exception {
        try {
            push(platform, "outage/before", "amd64");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(audit(platform, "outage/before"), "manifest.pushed") > 0);

            // 100 pushes (the first and last with skopeo, layers and all) and 500 pulls while Kafka is down
            kafka.stop();
            String layout = work.resolve("outage-during-amd64").toString();
            push(platform, "outage/during", "amd64");
            pushManifests(platform, "outage/during", layout, 98);
            pull(platform, "outage/during", 500);
            push(platform, "outage/during", "arm64"); // moves the tag

            kafka.start();
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> RestAssured.given()
                            .baseUri("http://" + platform.registry())
                            .get("/api/v1/repositories/outage/during/pulls")
                            .then()
                            .statusCode(200)
                            .body("total", equalTo(500)));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertEquals(100, count(audit(platform, "outage/during"), "manifest.pushed")));
            List<Map<String, Object>> records = audit(platform, "outage/during");
            assertEquals(100, count(records, "manifest.pushed"));
            assertEquals(99, count(records, "tag.created"));
            assertEquals(1, count(records, "tag.moved"));
            assertEquals(500, pulls(records));

        } finally {
            kafka.ensureRunning(); // running for the next test, whatever this one left
        }
    }

    /**
     * Issue 17, finding 3: Kafka SIGKILLed three times while manifests are pushed (the consumer
     * polling, applying and committing meanwhile). The consumer must come back by itself each time,
     * and every push answered 201 must end up in the audit log exactly once.
     */
    @Test
    void kafkaKilledThreeTimesUnderPushesLosesNoEventAndTheConsumerComesBackByItself() throws Exception {
        String repository = "outage/killed";
        try {
            String bearer = platform.adminBearer(repository);
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicBoolean pushing = new AtomicBoolean(true);
            Thread pusher = new Thread(() -> {
                for (int i = 0; pushing.get(); i++) {
                    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                            + "\"manifests\":[],\"annotations\":{\"drydock.test/push\":\"" + i + "\"}}";
                    try {
                        int status = RestAssured.given()
                                .baseUri("http://" + platform.registry())
                                .header("Authorization", bearer)
                                .contentType("application/vnd.oci.image.index.v1+json")
                                .body(manifest)
                                .put("/v2/" + repository + "/manifests/k" + i)
                                .statusCode();
                        if (status == 201) {
                            acknowledged.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        // not acknowledged
                    }
                    Platform.sleep(20); // some hundreds of pushes to count, not thousands to wait for
                }
            });
            pusher.start();
            for (int round = 0; round < 3; round++) {
                Platform.sleep(3000);
                kafka.kill();
                Platform.sleep(3000); // pushes go on into the outbox
                kafka.start();
            }
            Platform.sleep(2000);
            pushing.set(false);
            pusher.join();
            int pushed = acknowledged.get();
            assertTrue(pushed >= 30, "too few pushes to count on: " + pushed);
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertEquals(pushed, count(audit(platform, repository), "manifest.pushed")));
            Platform.sleep(3000); // anything counted twice would arrive now
            assertEquals(pushed, count(audit(platform, repository), "manifest.pushed"));
            RestAssured.given()
                    .get("http://127.0.0.1:" + platform.auditPort + "/q/health/live")
                    .then()
                    .statusCode(200)
                    .body("checks.find { it.name == 'event-consumer' }.data.failuresInARow", equalTo(0));
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .auth()
                    .preemptive()
                    .basic(Platform.ADMIN, platform.adminPassword)
                    .get("/api/v1/audit/verify")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(true));
            System.out.printf(
                    "OutageIT: %d pushes answered 201 across 3 SIGKILLs of Kafka, each projected once%n", pushed);
        } finally {
            kafka.ensureRunning(); // running for the next test, whatever this one left
        }
    }

    /**
     * Issue 17: Kafka frozen (SIGSTOP) for 30 s while manifests are pushed — its connections open
     * and silent, worse for a client than a closed port. Pushes go on, every service's readiness
     * answers within a second throughout, and afterwards every push is projected exactly once.
     */
    @Test
    void kafkaFrozenForThirtySecondsUnderPushesDelaysEventsAndLosesNone() throws Exception {
        String repository = "outage/frozen";
        try {
            String bearer = platform.adminBearer(repository);
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger pushedWhileFrozen = new AtomicInteger();
            AtomicBoolean frozen = new AtomicBoolean();
            AtomicBoolean pushing = new AtomicBoolean(true);
            AtomicReference<String> refused = new AtomicReference<>();
            Thread pusher = new Thread(() -> {
                for (int i = 0; pushing.get(); i++) {
                    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                            + "\"manifests\":[],\"annotations\":{\"drydock.test/push\":\"" + i + "\"}}";
                    int status;
                    try {
                        status = RestAssured.given()
                                .baseUri("http://" + platform.registry())
                                .header("Authorization", bearer)
                                .contentType("application/vnd.oci.image.index.v1+json")
                                .body(manifest)
                                .put("/v2/" + repository + "/manifests/f" + i)
                                .statusCode();
                    } catch (Exception e) { // RestAssured throws a failed connection's checked exception unwrapped
                        refused.compareAndSet(null, "push " + i + " failed: " + e);
                        continue;
                    }
                    if (status != 201) {
                        refused.compareAndSet(
                                null,
                                "push " + i + " answered " + status + (frozen.get() ? " while Kafka was frozen" : ""));
                        continue;
                    }
                    acknowledged.incrementAndGet();
                    if (frozen.get()) {
                        pushedWhileFrozen.incrementAndGet();
                    }
                    Platform.sleep(50);
                }
            });
            pusher.start();
            Platform.sleep(3000);
            kafka.pause();
            frozen.set(true);
            long slowest = 0;
            try {
                Instant until = Instant.now().plusSeconds(30);
                while (Instant.now().isBefore(until)) {
                    for (int port : new int[] {platform.registryPort, platform.layerStorePort, platform.auditPort}) {
                        Platform.Readiness readiness = Platform.readiness(port);
                        slowest = Math.max(slowest, readiness.millis());
                        assertEquals(200, readiness.status(), "readiness of port " + port + " while Kafka is frozen");
                        assertTrue(
                                readiness.millis() < 1000,
                                "readiness of port " + port + " took " + readiness.millis() + " ms");
                    }
                    Platform.sleep(1000);
                }
            } finally {
                frozen.set(false);
                kafka.resume();
            }
            Platform.sleep(3000);
            pushing.set(false);
            pusher.join();
            int pushed = acknowledged.get();
            assertNull(refused.get());
            assertTrue(
                    pushedWhileFrozen.get() >= 100,
                    "pushes went on while Kafka was frozen: " + pushedWhileFrozen.get());
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertEquals(pushed, count(audit(platform, repository), "manifest.pushed")));
            Platform.sleep(3000); // anything counted twice would arrive now
            assertEquals(pushed, count(audit(platform, repository), "manifest.pushed"));
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .auth()
                    .preemptive()
                    .basic(Platform.ADMIN, platform.adminPassword)
                    .get("/api/v1/audit/verify")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(true))
                    .body("gaps", equalTo(List.of()));
            System.out.printf(
                    "OutageIT: %d pushes (%d while Kafka was frozen 30 s), each projected once; slowest readiness %d ms%n",
                    pushed, pushedWhileFrozen.get(), slowest);
        } finally {
            kafka.ensureRunning(); // running for the next test, whatever this one left
        }
    }

    @Test
    void auditServiceKilledInTheMiddleOfAStreamEndsWithExactCounts() throws Exception {
        String repository = "crash/counted";
        try {
            push(platform, repository, "amd64");
            pull(platform, repository, 40);
            platform.kill("audit-service");
            pull(platform, repository, 40);
            platform.restart("audit-service", platform.auditPort);
            pull(platform, repository, 20);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> RestAssured.given()
                            .baseUri("http://" + platform.registry())
                            .get("/api/v1/repositories/" + repository + "/pulls")
                            .then()
                            .statusCode(200)
                            .body("total", equalTo(100)));
            assertEquals(100, pulls(audit(platform, repository)));
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .auth()
                    .preemptive()
                    .basic(Platform.ADMIN, platform.adminPassword)
                    .get("/api/v1/audit/verify")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(true));
        } finally {
            if (!platform.alive("audit-service")) {
                platform.restart("audit-service", platform.auditPort);
            }
        }
    }
}
