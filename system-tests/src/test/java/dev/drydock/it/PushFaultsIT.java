package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: faults that strike while many clients push at once. Each push is a blob upload and a
 * manifest PUT under a tag of its own. Afterwards every blob and manifest that was acknowledged is
 * readable with the digest it was acknowledged with, every acknowledged tag is in the audit log
 * exactly once (and no tag twice, acknowledged or not), and audit verify finds the chain intact
 * and no gap in the log's positions.
 */
class PushFaultsIT {

    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final int PUSHERS = 12;

    /** One platform of their own for both faults (each start costs 20–30 s); each test pushes to a repository of its own. */
    private static Platform platform;

    /** What the pushers were told succeeded: blobs by digest (with their bytes), tags with their manifest digest. */
    private record Acknowledged(Map<String, byte[]> blobs, Map<String, String> tags, AtomicInteger failed) {
        Acknowledged() {
            this(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new AtomicInteger());
        }
    }

    /** {@link #PUSHERS} clients pushing until {@code pushing} is false. */
    private static List<Thread> startPushers(
            Platform platform, String repository, String bearer, AtomicBoolean pushing, Acknowledged acknowledged) {
        List<Thread> pushers = new ArrayList<>();
        for (int p = 0; p < PUSHERS; p++) {
            int pusher = p;
            Thread thread = new Thread(
                    () -> {
                        for (int i = 0; pushing.get(); i++) {
                            try {
                                push(platform, repository, bearer, "p" + pusher + "-" + i, acknowledged);
                            } catch (Exception e) { // RestAssured throws a refused connection's checked exception
                                // unwrapped
                                acknowledged.failed().incrementAndGet(); // the connection failed: nothing acknowledged
                                Platform.sleep(
                                        20); // a closed port refuses at once: no spinning while the service is away
                            }
                        }
                    },
                    "pusher-" + p);
            thread.setDaemon(true);
            thread.start();
            pushers.add(thread);
        }
        return pushers;
    }

    private static void push(
            Platform platform, String repository, String bearer, String tag, Acknowledged acknowledged) {
        byte[] blob = (tag + "-" + UUID.randomUUID()).getBytes();
        String digest = sha256(blob);
        Response upload = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType("application/octet-stream")
                .queryParam("digest", digest)
                .body(blob)
                .post("/v2/" + repository + "/blobs/uploads/");
        if (upload.statusCode() != 201) {
            acknowledged.failed().incrementAndGet();
            return;
        }
        acknowledged.blobs().put(digest, blob);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[],"
                + "\"annotations\":{\"drydock.test/push\":\"" + tag + "\",\"drydock.test/blob\":\"" + digest + "\"}}";
        Response put = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType(INDEX)
                .body(manifest)
                .put("/v2/" + repository + "/manifests/" + tag);
        if (put.statusCode() == 201) {
            acknowledged.tags().put(tag, put.header("Docker-Content-Digest"));
        } else {
            acknowledged.failed().incrementAndGet();
        }
    }

    private static void stop(AtomicBoolean pushing, List<Thread> pushers) throws InterruptedException {
        pushing.set(false);
        for (Thread pusher : pushers) {
            pusher.join();
        }
    }

    /** Everything acknowledged is there, and in the audit log exactly once; the log has no gap. */
    private static void assertNothingLost(
            Platform platform, String repository, String bearer, Acknowledged acknowledged) {
        for (Map.Entry<String, byte[]> blob : acknowledged.blobs().entrySet()) {
            byte[] read = RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .get("/v2/" + repository + "/blobs/" + blob.getKey())
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            assertArrayEquals(blob.getValue(), read, blob.getKey());
        }
        for (Map.Entry<String, String> tag : acknowledged.tags().entrySet()) {
            Response get = RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .accept(INDEX)
                    .get("/v2/" + repository + "/manifests/" + tag.getKey());
            assertEquals(200, get.statusCode(), tag.getKey() + " was answered 201 and is gone");
            assertEquals(tag.getValue(), get.header("Docker-Content-Digest"), tag.getKey());
        }
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Map<String, Integer> created = tagsCreated(platform, repository);
                    for (String tag : acknowledged.tags().keySet()) {
                        assertEquals(1, created.getOrDefault(tag, 0), tag + " in the audit log");
                    }
                });
        Platform.sleep(3000); // anything applied twice would show now
        tagsCreated(platform, repository).forEach((tag, times) -> assertEquals(1, times, tag + " in the audit log"));
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
        RestAssured.given()
                .get("http://127.0.0.1:" + platform.auditPort + "/q/health/live")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'event-consumer' }.data.failuresInARow", equalTo(0));
    }

    /** How often each tag was created, as the audit log says. */
    @SuppressWarnings("unchecked")
    private static Map<String, Integer> tagsCreated(Platform platform, String repository) {
        Map<String, Integer> created = new ConcurrentHashMap<>();
        for (Map<String, Object> record : platform.auditRecords("repository", repository)) {
            if ("dev.drydock.tag.created".equals(record.get("type"))) {
                created.merge((String) ((Map<String, Object>) record.get("data")).get("tag"), 1, Integer::sum);
            }
        }
        return created;
    }

    /** What a test does to the platform while the pushers push. */
    private interface Fault {
        void strike() throws Exception;
    }

    /** Pushes with {@link #PUSHERS} clients while {@code fault} strikes, and 3 s after; what was acknowledged. */
    private static Acknowledged pushDuring(String repository, String bearer, Fault fault) throws Exception {
        Acknowledged acknowledged = new Acknowledged();
        AtomicBoolean pushing = new AtomicBoolean(true);
        List<Thread> pushers = startPushers(platform, repository, bearer, pushing, acknowledged);
        try {
            fault.strike();
            Platform.sleep(3000);
        } finally {
            stop(pushing, pushers);
        }
        return acknowledged;
    }

    @BeforeAll
    static void startPlatform() {
        platform = Platform.isolated(TestInfra.Kafka.shared());
    }

    @AfterAll
    static void stopPlatform() {
        platform.stop();
    }

    @Test
    void registryApiSigkilledTwiceDuringParallelPushesKeepsExactlyTheAcknowledgedOnes() throws Exception {
        String repository = "faults/killed" + UUID.randomUUID().toString().substring(0, 6);
        String bearer = platform.adminBearer(repository);
        Acknowledged acknowledged = pushDuring(repository, bearer, () -> {
            for (int round = 0; round < 2; round++) {
                Platform.sleep(4000);
                platform.kill("registry-api");
                Platform.sleep(1000); // pushes meet the closed door
                platform.restart("registry-api", platform.registryPort);
            }
        });
        System.out.printf(
                "PushFaultsIT: %d manifests and %d blobs acknowledged, %d pushes failed across 2 SIGKILLs"
                        + " of registry-api%n",
                acknowledged.tags().size(),
                acknowledged.blobs().size(),
                acknowledged.failed().get());
        assertTrue(
                acknowledged.tags().size() >= 50,
                "too few pushes to count on: " + acknowledged.tags().size());
        assertTrue(acknowledged.failed().get() > 0, "no push met the kill: it proves nothing");
        assertNothingLost(platform, repository, bearer, acknowledged);
    }

    /**
     * Every connection of the platform to its database is cut, again and again, while pushes run
     * and audit-service applies their events: some cuts land inside a batch's transaction.
     */
    @Test
    void databaseConnectionsCutWhileBatchesAreAppliedLoseAndDoubleNothing() throws Exception {
        String repository = "faults/cut" + UUID.randomUUID().toString().substring(0, 6);
        String bearer = platform.adminBearer(repository);
        AtomicInteger cut = new AtomicInteger();
        AtomicInteger inAuditTransaction = new AtomicInteger();
        Acknowledged acknowledged = pushDuring(repository, bearer, () -> {
            String projecting = "state IN ('active', 'idle in transaction') AND (query ILIKE '%applied_event%'"
                    + " OR query ILIKE '%audit_record%' OR query ILIKE '%apply_registry_events%'"
                    + " OR query ILIKE '%skipped_position%')";
            String others =
                    "datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
            try (Connection db = platform.connectDatabase();
                    Statement statement = db.createStatement()) {
                // a cut every 250 ms, and one at once (50 ms after the last at the soonest) whenever
                // a projection's batch is seen under way: on a fast machine its transaction is
                // short, and timed cuts alone caught none in one run of 40. At least 40 cuts, and
                // until 3 landed inside a batch or a minute has passed
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                long nextCut = 0;
                long lastCut = 0;
                int rounds = 0;
                while ((rounds < 40 || inAuditTransaction.get() < 3) && System.nanoTime() < deadline) {
                    boolean seen;
                    try (ResultSet rs = statement.executeQuery(
                            "SELECT count(*) FROM pg_stat_activity WHERE " + others + " AND " + projecting)) {
                        rs.next();
                        seen = rs.getInt(1) > 0;
                    }
                    long now = System.nanoTime();
                    if (now < nextCut
                            && !(seen && now > lastCut + Duration.ofMillis(50).toNanos())) {
                        Platform.sleep(2);
                        continue;
                    }
                    try (ResultSet rs = statement.executeQuery("WITH victim AS (SELECT pid, state, query FROM"
                            + " pg_stat_activity WHERE " + others + ")"
                            + " SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)),"
                            + " count(*) FILTER (WHERE " + projecting + ") FROM victim")) {
                        rs.next();
                        cut.addAndGet(rs.getInt(1));
                        inAuditTransaction.addAndGet(rs.getInt(2));
                    }
                    rounds++;
                    lastCut = System.nanoTime();
                    nextCut = lastCut + Duration.ofMillis(250).toNanos();
                }
            }
        });
        System.out.printf(
                "PushFaultsIT: %d connections cut (%d inside a projection's transaction); %d manifests and"
                        + " %d blobs acknowledged, %d pushes failed%n",
                cut.get(),
                inAuditTransaction.get(),
                acknowledged.tags().size(),
                acknowledged.blobs().size(),
                acknowledged.failed().get());
        assertTrue(cut.get() >= 40, "connections cut: " + cut.get());
        // only the consumer touches these tables while the pushes run, and it applies each batch
        // in one transaction: a statement of it under way is a batch half applied
        assertTrue(inAuditTransaction.get() > 0, "no cut landed inside a projection's transaction: it proves nothing");
        assertTrue(
                acknowledged.tags().size() >= 50,
                "too few pushes to count on: " + acknowledged.tags().size());
        assertNothingLost(platform, repository, bearer, acknowledged);
    }

    /** The accounts and personal access tokens whose creation was answered 201. */
    private record Identities(
            Map<String, String> users,
            Map<String, String> tokens,
            Map<String, String> tokenOwners,
            AtomicInteger failed) {
        Identities() {
            this(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new AtomicInteger());
        }
    }

    /**
     * Sign-ups and token creations are written through the ORM, not the push path: an account or
     * a token answered 201 before registry-api is SIGKILLed signs in after its restart, and its
     * event is in the audit log exactly once.
     */
    @Test
    void accountsAndTokensAcknowledgedBeforeSigkillsOfRegistryApiAreKeptWithOneEventEach() throws Exception {
        String prefix = "kill" + UUID.randomUUID().toString().substring(0, 6);
        Identities created = new Identities();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread thread = new Thread(
                    () -> {
                        for (int i = 0; writing.get(); i++) {
                            try {
                                signUpWithToken(prefix + "w" + writer + "n" + i, created);
                            } catch (Exception e) { // the connection failed: nothing acknowledged
                                created.failed().incrementAndGet();
                                Platform.sleep(20);
                            }
                        }
                    },
                    "identity-writer-" + w);
            thread.setDaemon(true);
            thread.start();
            writers.add(thread);
        }
        try {
            for (int round = 0; round < 2; round++) {
                Platform.sleep(5000);
                platform.kill("registry-api");
                Platform.sleep(1000);
                platform.restart("registry-api", platform.registryPort);
            }
            Platform.sleep(3000);
        } finally {
            stop(writing, writers);
        }
        System.out.printf(
                "PushFaultsIT: %d accounts and %d tokens acknowledged, %d writes failed across 2 SIGKILLs of"
                        + " registry-api%n",
                created.users().size(),
                created.tokens().size(),
                created.failed().get());
        assertTrue(
                created.users().size() >= 10,
                "too few sign-ups to count on: " + created.users().size());
        assertTrue(
                created.tokens().size() >= 10,
                "too few tokens to count on: " + created.tokens().size());
        assertTrue(created.failed().get() > 0, "no write met the kill: it proves nothing");
        created.users()
                .forEach((username, password) -> RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .auth()
                        .preemptive()
                        .basic(username, password)
                        .get("/api/v1/users/me")
                        .then()
                        .statusCode(200)
                        .body("username", equalTo(username)));
        created.tokens()
                .forEach((id, secret) -> RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .auth()
                        .preemptive()
                        .basic(created.tokenOwners().get(id), secret)
                        .get("/api/v1/users/me")
                        .then()
                        .statusCode(200));
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Map<String, Integer> registered = eventsBy("dev.drydock.user.registered", "username", prefix);
                    Map<String, Integer> tokens = eventsBy("dev.drydock.token.created", "tokenId", "");
                    created.users().keySet().forEach(user -> assertEquals(1, registered.getOrDefault(user, 0), user));
                    created.tokens().keySet().forEach(id -> assertEquals(1, tokens.getOrDefault(id, 0), id));
                });
        Platform.sleep(3000); // anything applied twice would show now
        eventsBy("dev.drydock.user.registered", "username", prefix)
                .forEach((user, times) -> assertEquals(1, times, user + " registered"));
        eventsBy("dev.drydock.token.created", "tokenId", "")
                .forEach((id, times) -> assertEquals(1, times, "token " + id + " created"));
    }

    private static void signUpWithToken(String username, Identities created) {
        String password = "pw-" + UUID.randomUUID();
        Response signUp = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .contentType("application/json")
                .body(Map.of("username", username, "password", password))
                .post("/api/v1/users");
        if (signUp.statusCode() != 201) {
            created.failed().incrementAndGet();
            return;
        }
        created.users().put(username, password);
        Response token = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(username, password)
                .contentType("application/json")
                .body(Map.of("name", "ci", "scope", "read"))
                .post("/api/v1/tokens");
        if (token.statusCode() == 201) {
            String id = token.jsonPath().getString("id");
            created.tokens().put(id, token.jsonPath().getString("token"));
            created.tokenOwners().put(id, username);
        } else {
            created.failed().incrementAndGet();
        }
    }

    /** How often the audit log holds an event of {@code type}, by a field of its data starting with {@code prefix}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Integer> eventsBy(String type, String field, String prefix) {
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        for (Map<String, Object> record : platform.auditRecords("type", type)) {
            assertEquals(type, record.get("type"), "the audit log's type filter");
            String value = (String) ((Map<String, Object>) record.get("data")).get(field);
            if (value.startsWith(prefix)) {
                seen.merge(value, 1, Integer::sum);
            }
        }
        return seen;
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
