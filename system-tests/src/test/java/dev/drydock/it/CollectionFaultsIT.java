package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection on its schedule, with no grace, while images are pushed and garbage piles up,
 * and PostgreSQL SIGKILLed three times in the middle of a collection: afterwards the schedule has
 * healed by itself — no garbage link, no unlinked blob, no file without a row and no row without a
 * file — and every image answered 201 is whole, each blob with its digest (docs/garbage-collection.md:
 * a crash leaves at most a row without a file that nothing links, which the next run removes).
 */
class CollectionFaultsIT {

    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String KEPT = "faults/kept";
    private static final String GARBAGE = "faults/garbage";

    @TempDir
    Path work;

    /** An image answered 201: its manifest's digest and its blobs' digests. */
    private record Pushed(String manifest, List<String> blobs) {}

    @Test
    void scheduledCollectionsHealFromSigkillOfPostgresAndLoseNothingAcknowledged() throws Exception {
        TestInfra.Kafka kafka = TestInfra.Kafka.shared();
        int pgPort = Ports.free();
        Path data = work.resolve("infra");
        Process infra = TestInfra.launchPostgres(data, pgPort, kafka);
        Platform platform = null;
        try {
            platform = Platform.isolated(
                    kafka,
                    TestInfra.launchedDatabase(data),
                    Map.of(
                            "DRYDOCK_GC_GRACE",
                            "PT0S",
                            "DRYDOCK_GC_INTERVAL",
                            "PT8S",
                            "DRYDOCK_GC_CHECK_INTERVAL",
                            "1s")); // garbage piles up for 8 s: runs of a second or more
            Platform target = platform;
            AtomicReference<String> bearer = new AtomicReference<>(platform.adminBearer(KEPT, GARBAGE));
            Map<String, Pushed> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger garbage = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread pusher = new Thread(() -> {
                for (int i = 0; loading.get(); i++) {
                    try {
                        if (!pushImage(target, bearer.get(), "k" + i, acknowledged)) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception | AssertionError e) { // a dead database: not acknowledged
                        failures.incrementAndGet();
                    }
                }
            });
            Runnable littering = () -> {
                while (loading.get()) {
                    try {
                        if (upload(target, bearer.get(), GARBAGE, random(512)).statusCode() == 201) {
                            garbage.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            };
            List<Thread> litter = List.of(new Thread(littering), new Thread(littering), new Thread(littering));
            pusher.start();
            litter.forEach(Thread::start);
            List<Long> killed = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                // a collection newer than the last one killed, past its first phase and having removed
                // something: kill its database now
                long after = killed.isEmpty() ? 0 : killed.get(killed.size() - 1);
                try (Connection db = platform.connectDatabase()) {
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(10))
                            .until(() -> count(
                                            db,
                                            "SELECT coalesce(max(id), 0) FROM layers.gc_run WHERE finished_at IS NULL AND links > 0"
                                                    + " AND phase <> 'FINISHED' AND id > " + after)
                                    > 0);
                    long running =
                            count(db, "SELECT max(id) FROM layers.gc_run WHERE finished_at IS NULL AND id > " + after);
                    TestInfra.killPostgres(data, infra);
                    killed.add(running);
                }
                infra = TestInfra.launchPostgres(data, pgPort, kafka);
                for (int port : new int[] {platform.registryPort, platform.layerStorePort}) {
                    String ready = "http://127.0.0.1:" + port + "/q/health/ready";
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> RestAssured.given().get(ready).statusCode() == 200);
                }
                bearer.set(platform.adminBearer(KEPT, GARBAGE));
                int before = acknowledged.size();
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() > before + 5); // pushes go on
            }
            // and the schedule heals under the load: a collection after the last kill completes and
            // removes garbage while pushes and litter go on (on a fast machine the three kills can
            // come so soon one after another that every run under load was one of them)
            try (Connection db = platform.connectDatabase()) {
                long last = killed.get(killed.size() - 1);
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> count(
                                        db,
                                        "SELECT count(*) FROM layers.gc_run WHERE id > " + last
                                                + " AND outcome = 'completed' AND actor = 'system' AND NOT dry_run"
                                                + " AND blobs > 0")
                                > 0);
            }
            loading.set(false);
            pusher.join();
            for (Thread thread : litter) {
                thread.join();
            }

            // the schedule finishes what the kills interrupted: nothing of the garbage is left, on disk or in rows
            try (Connection db = platform.connectDatabase()) {
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            assertEquals(
                                    0,
                                    count(
                                            db,
                                            "SELECT count(*) FROM layers.repository_blob WHERE repository = '" + GARBAGE
                                                    + "'"),
                                    "links to garbage left");
                            assertEquals(
                                    0,
                                    count(
                                            db,
                                            "SELECT count(*) FROM layers.blob b WHERE NOT EXISTS"
                                                    + " (SELECT 1 FROM layers.repository_blob l WHERE l.digest = b.digest)"),
                                    "blobs nothing links");
                            assertEquals(rows(db), files(target), "blob rows and files in the store");
                        });
                String ids = killed.stream().map(String::valueOf).collect(Collectors.joining(","));
                long interrupted = count(
                        db,
                        "SELECT count(*) FROM layers.gc_run WHERE id IN (" + ids + ")"
                                + " AND (outcome = 'interrupted' OR outcome LIKE 'failed%')");
                long completed = count(
                        db,
                        "SELECT count(*) FROM layers.gc_run WHERE outcome = 'completed' AND actor = 'system'"
                                + " AND NOT dry_run AND blobs > 0");
                System.out.printf(
                        "CollectionFaultsIT: %d images and %d garbage blobs answered 201, %d refused or failed;"
                                + " %d kills in a collection, %d of them cut it, %d scheduled collections removed blobs%n",
                        acknowledged.size(), garbage.get(), failures.get(), killed.size(), interrupted, completed);
                // a kill may rarely land just after a run's last write; most must cut one
                assertTrue(
                        interrupted >= 2,
                        "kills did not cut collections: the test proved little; runs by outcome: " + outcomes(db));
                assertTrue(completed >= 2, "the schedule did not collect: " + completed);
            }
            assertTrue(acknowledged.size() >= 20, "too few images to count on: " + acknowledged.size());
            assertTrue(garbage.get() >= 100, "too little garbage to count on: " + garbage.get());
            String reader = platform.adminBearer(KEPT);
            for (Map.Entry<String, Pushed> image : acknowledged.entrySet()) {
                Response manifest = RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .header("Authorization", reader)
                        .accept(MANIFEST)
                        .get("/v2/" + KEPT + "/manifests/" + image.getKey());
                assertEquals(200, manifest.statusCode(), image.getKey() + " was answered 201 and is gone");
                assertEquals(image.getValue().manifest(), manifest.header("Docker-Content-Digest"), image.getKey());
                for (String digest : image.getValue().blobs()) {
                    Response blob = RestAssured.given()
                            .baseUri("http://" + platform.registry())
                            .header("Authorization", reader)
                            .get("/v2/" + KEPT + "/blobs/" + digest);
                    assertEquals(200, blob.statusCode(), image.getKey() + " lost its blob " + digest);
                    assertEquals(digest, sha256(blob.asByteArray()), image.getKey() + ": the bytes of " + digest);
                }
            }
        } finally {
            if (platform != null) {
                platform.stop();
            }
            infra.destroy();
            infra.waitFor();
        }
    }

    /** Whether the push was answered 201 (then it is in {@code acknowledged}). */
    private static boolean pushImage(Platform platform, String bearer, String tag, Map<String, Pushed> acknowledged) {
        byte[] layer = random(1024);
        byte[] config =
                ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                                + "\"history\":[{\"created_by\":\"" + tag + " "
                                + ThreadLocalRandom.current().nextLong() + "\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
        if (upload(platform, bearer, KEPT, layer).statusCode() != 201
                || upload(platform, bearer, KEPT, config).statusCode() != 201) {
            return false;
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config) + "\",\"size\":"
                + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + sha256(layer)
                + "\",\"size\":" + layer.length + "}]}";
        Response put = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType(MANIFEST)
                .body(manifest)
                .put("/v2/" + KEPT + "/manifests/" + tag);
        if (put.statusCode() == 201) {
            acknowledged.put(
                    tag, new Pushed(put.header("Docker-Content-Digest"), List.of(sha256(config), sha256(layer))));
            return true;
        }
        return false;
    }

    private static Response upload(Platform platform, String bearer, String repository, byte[] bytes) {
        return RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType("application/octet-stream")
                .queryParam("digest", sha256(bytes))
                .body(bytes)
                .post("/v2/" + repository + "/blobs/uploads/");
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Long> outcomes(Connection db) throws SQLException {
        Map<String, Long> outcomes = new TreeMap<>();
        try (Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT coalesce(outcome, 'open') || ' ' || phase, count(*) FROM layers.gc_run GROUP BY 1")) {
            while (rs.next()) {
                outcomes.put(rs.getString(1), rs.getLong(2));
            }
        }
        return outcomes;
    }

    private static Set<String> rows(Connection db) throws SQLException {
        Set<String> digests = new HashSet<>();
        try (Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery("SELECT digest FROM layers.blob")) {
            while (rs.next()) {
                digests.add(rs.getString(1));
            }
        }
        return digests;
    }

    private static Set<String> files(Platform platform) throws Exception {
        Path store = platform.blobFile("sha256:00").getParent().getParent();
        Set<String> digests = new HashSet<>();
        try (Stream<Path> walk = Files.walk(store)) {
            walk.filter(Files::isRegularFile).forEach(file -> digests.add("sha256:" + file.getFileName()));
        }
        return digests;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
