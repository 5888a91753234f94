package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prune and garbage collection on a platform of their own with a grace period of zero, so that
 * everything unreferenced is a candidate at once: what a prune removes (dangling manifests,
 * indexes' children, referrers following their subject, shared layers counted once), who may
 * prune, pushes by HTTP and by skopeo racing a thousand collections, and a collector killed in
 * the middle of a run. The argument these tests attack: docs/garbage-collection.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PruneIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String LAYER = "application/vnd.oci.image.layer.v1.tar";
    private static final String PASSWORD = "prune-test-password";

    /** 1,000 as the issue asks (about six minutes here) with -Ddrydock.prune.iterations=1000; fewer in the suite. */
    private static final int ITERATIONS = Integer.getInteger("drydock.prune.iterations", 40);

    private static Platform platform;
    /** A registry token of the admin for the repositories of these tests; renewed before it expires. */
    private static volatile String bearer;

    @BeforeAll
    static void startPlatform() {
        platform = Platform.isolatedWithPortal(
                TestInfra.Kafka.shared(),
                Map.of(
                        "DRYDOCK_GC_GRACE",
                        "PT0S",
                        "DRYDOCK_RETENTION_INTERVAL",
                        "2s",
                        "DRYDOCK_GC_ANSWER_WITHIN",
                        "PT10S",
                        "DRYDOCK_GC_INTERVAL",
                        "off")); // its collections are the tests' own (CollectionFaultsIT tests the schedule)
        renewBearer();
    }

    @BeforeEach
    void freshToken() {
        renewBearer();
    }

    private static void renewBearerFor(String repo) {
        bearer = platform.adminBearer(repo);
    }

    private static void renewBearer() {
        bearer = platform.adminBearer(
                "admin/prune", "admin/prune-shared", "admin/race", "admin/race-base", "admin/killed");
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.stop();
        }
    }

    @Test
    @Order(1)
    void danglingManifestsGoWhatATagReachesStaysAndASharedLayerFreesNothing() {
        String repo = "admin/prune";
        byte[] shared = random(3000);
        byte[] onlyA = random(5000);
        byte[] configA = config("a");
        String a = image(repo, "t", configA, shared, onlyA);
        String b = image(repo, "t", config("b"), shared, random(4000)); // t moves: a dangles
        String c = image(repo, null, config("c"), random(2000));
        String index = index(repo, "multi", b, c); // c is kept as a child of a tagged index
        byte[] configD = config("d");
        byte[] layerD = random(7000);
        String d = image(repo, null, configD, layerD); // pushed by digest, never tagged
        byte[] configSa = config("signature of a");
        byte[] layerSa = random(600);
        String signatureA = referrer(repo, a, configSa, layerSa); // follows a
        String signatureB = referrer(repo, b, config("signature of b"), random(600)); // follows b
        // onlyA is also linked and used by a tagged image of another repository: stored once, kept
        String other = "admin/prune-shared";
        RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .queryParam("mount", sha256(onlyA))
                .queryParam("from", repo)
                .post("/v2/" + other + "/blobs/uploads/")
                .then()
                .statusCode(201);
        image(other, "keep", config("e"), onlyA);

        long expectedBytes = configA.length + configD.length + layerD.length + configSa.length + layerSa.length;
        JsonPath preview = prune(Map.of("repository", repo, "dryRun", true))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(Set.of(a, d, signatureA), new HashSet<>(preview.getList("manifests.digest")));
        assertEquals(expectedBytes, preview.getLong("bytesFreed"), "shared layers counted once, used ones not at all");
        manifest(repo, a).then().statusCode(200); // a dry run removes nothing

        JsonPath done = prune(Map.of("repository", repo))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(
                new HashSet<>(preview.getList("manifests.digest")),
                new HashSet<>(done.getList("manifests.digest")),
                "the real run removes what the dry run listed");
        assertEquals(expectedBytes, done.getLong("bytesFreed"));
        // the caller's latest prune, as ./drydock image prune follows it while it runs
        JsonPath latest = RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .get("/api/v1/prune")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(repo, latest.getString("run.scope"), latest.prettify());
        assertEquals("completed", latest.getString("run.outcome"));
        assertEquals(1, latest.getInt("run.done"));
        assertEquals(done.getList("manifests").size(), latest.getInt("run.manifests"));
        assertEquals(expectedBytes, latest.getLong("run.bytesFreed"));
        String line = RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .accept("text/plain")
                .get("/api/v1/prune")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(
                line.startsWith("Prune of " + repo + " completed: 1 of 1 repositories, removed 0 tags and "
                        + done.getList("manifests").size() + " manifests"),
                line);
        for (String gone : List.of(a, d, signatureA)) {
            manifest(repo, gone).then().statusCode(404).body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));
        }
        for (String kept : List.of(b, c, index, signatureB)) {
            manifest(repo, kept).then().statusCode(200);
        }
        RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .get("/v2/" + repo + "/referrers/" + b)
                .then()
                .statusCode(200)
                .body("manifests.digest", hasItem(signatureB));

        JsonPath collectPreview = gc(true, null);
        List<String> doomedLinks = collectPreview.getList("links.findAll { it.repository == 'admin/prune' }.digest");
        assertEquals(
                Set.of(
                        sha256(configA),
                        sha256(onlyA),
                        sha256(configD),
                        sha256(layerD),
                        sha256(configSa),
                        sha256(layerSa)),
                new HashSet<>(doomedLinks));
        JsonPath collected = gc(false, null);
        assertTrue(collected.getList("links.digest").containsAll(doomedLinks));
        for (byte[] goneBlob : List.of(configA, configD, layerD, configSa, layerSa)) {
            assertFalse(Files.exists(platform.blobFile(sha256(goneBlob))), "its bytes are gone from the disk");
            blob(repo, sha256(goneBlob)).then().statusCode(404);
        }
        blob(repo, sha256(onlyA)).then().statusCode(404); // no longer this repository's
        assertArrayEquals(
                onlyA,
                blob(other, sha256(onlyA)).then().statusCode(200).extract().asByteArray());
        assertTrue(Files.exists(platform.blobFile(sha256(onlyA))));
        assertEveryTagWhole(repo);
        assertEveryTagWhole(other);

        // the audit log of this platform's Kafka holds other tests' events too: asked by repository and type
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> deleted = audit(repo, "manifest.deleted").getList("items.data.digest");
            assertTrue(deleted.containsAll(List.of(a, d, signatureA)), "each removal is an event: " + deleted);
            assertEquals(expectedBytes, audit(repo, "prune.completed").getLong("items[0].data.bytesFreed"));
            assertTrue(audit(repo, "blob.deleted").getList("items.data.digest").containsAll(doomedLinks));
            assertEquals(
                    5,
                    audit("layer-store", "storage.garbage_collected")
                            .getInt("items.find { it.data.blobs > 0 }.data.blobs"));
        });
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .get("/api/v1/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));
    }

    @Test
    @Order(2)
    void onlyThoseWhoAdministerARepositoryPruneIt() {
        String mallory = "mallory" + UUID.randomUUID().toString().substring(0, 6);
        RestAssured.given()
                .baseUri(base())
                .contentType("application/json")
                .body(Map.of("username", mallory, "password", PASSWORD))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        RequestSpecification asMallory = RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(mallory, PASSWORD)
                .contentType("application/json");
        for (String spelling : List.of("admin/prune", "admin/prune/", " admin/prune", "admin/Prune")) {
            int status = asMallory
                    .body(Map.of("repository", spelling, "dryRun", true))
                    .post("/api/v1/prune")
                    .statusCode();
            assertTrue(status == 404 || status == 400, spelling + " answered " + status);
        }
        for (String spelling : List.of("admin/../admin/prune", "admin//prune", "admin/prune\u0000")) {
            asMallory
                    .body(Map.of("repository", spelling, "dryRun", true))
                    .post("/api/v1/prune")
                    .then()
                    .statusCode(400);
        }
        asMallory
                .body(Map.of("namespace", "admin", "dryRun", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(404);
        asMallory.body(Map.of("dryRun", true)).post("/api/v1/prune").then().statusCode(403);
        asMallory.body(Map.of("dryRun", true)).post("/api/v1/system/gc").then().statusCode(403);
        asMallory.get("/api/v1/system/gc").then().statusCode(403); // what a collection removes is the platform's
        asMallory.get("/api/v1/prune").then().statusCode(200).body("run", nullValue()); // not the admin's prunes
        RestAssured.given().baseUri(base()).get("/api/v1/prune").then().statusCode(401);
        RestAssured.given().baseUri(base()).get("/api/v1/system/gc").then().statusCode(401);
        RestAssured.given()
                .baseUri(base())
                .contentType("application/json")
                .body(Map.of("dryRun", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(401);

        // her own repository: a read-write token may push to it but not prune it; read-write-delete may
        String own = mallory + "/app";
        String readWrite = personalToken(mallory, "read-write");
        String readWriteDelete = personalToken(mallory, "read-write-delete");
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(mallory, readWrite)
                .contentType("application/json")
                .body(Map.of("name", own, "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(mallory, readWrite)
                .contentType("application/json")
                .body(Map.of("repository", own, "dryRun", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(404);
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(mallory, readWriteDelete)
                .contentType("application/json")
                .body(Map.of("repository", own, "dryRun", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(200)
                .body("manifests", empty());
        asMallory
                .body(Map.of("namespace", mallory, "dryRun", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(200)
                .body("scope", equalTo(mallory));

        asMallory
                .body(Map.of("repository", own, "until", "yesterday"))
                .post("/api/v1/prune")
                .then()
                .statusCode(400)
                .body("detail", containsString("24h"));
        asMallory
                .body(Map.of("repository", own, "namespace", mallory))
                .post("/api/v1/prune")
                .then()
                .statusCode(400);
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(Map.of("dryRun", true, "pause", "an hour"))
                .post("/api/v1/system/gc")
                .then()
                .statusCode(400);
        // layer-store's collection takes only registry-api's token for it, never a registry token
        RestAssured.given()
                .baseUri("http://127.0.0.1:" + platform.layerStorePort)
                .header("Authorization", bearer)
                .post("/internal/gc")
                .then()
                .statusCode(401);
        RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .post("/internal/gc")
                .then()
                .statusCode(404);
    }

    /**
     * Three HTTP pushers and skopeo push (new layers, a shared base layer they HEAD and skip, mounts,
     * re-tags of stored manifests, indexes over untagged ones) and delete old tags, while
     * {@link #ITERATIONS} prunes and collections run with no grace (every 50th pausing between its phases). A push may be refused (its blob went
     * before its manifest came: MANIFEST_BLOB_UNKNOWN), never answered 5xx, and every tag it was
     * answered 201 for keeps every blob readable with its digest.
     */
    @Test
    @Order(3)
    void pushesRacingCollectionsNeverLoseABlob(@TempDir Path dir) throws Exception {
        String repo = "admin/race";
        String baseRepo = "admin/race-base";
        byte[] base = random(2048);
        image(baseRepo, "base", config("base"), base); // a tagged image keeps the mount source
        image(repo, "first", config("first"), random(100)); // the repository exists before the first prune
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        Set<String> deletedTags = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<String> serverError = new AtomicReference<>();
        AtomicBoolean pushing = new AtomicBoolean(true);
        List<Thread> pushers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int pusher = p;
            Thread thread = new Thread(
                    () -> {
                        List<String> mine = new ArrayList<>();
                        for (int i = 0; pushing.get(); i++) {
                            try {
                                racePush(
                                        repo,
                                        baseRepo,
                                        base,
                                        "p" + pusher + "-" + i,
                                        i,
                                        mine,
                                        acknowledged,
                                        refused,
                                        serverError);
                                if (mine.size() > 2) {
                                    String old = mine.remove(0);
                                    // counted as deleted from before the request: the check every 100 collections
                                    // runs meanwhile and must not take a tag going at our own request for a lost one
                                    deletedTags.add(old);
                                    Response delete = RestAssured.given()
                                            .baseUri(base())
                                            .header("Authorization", bearer)
                                            .delete("/v2/" + repo + "/manifests/" + old);
                                    if (delete.statusCode() != 202) {
                                        deletedTags.remove(old);
                                    }
                                }
                            } catch (Exception e) {
                                serverError.compareAndSet(null, "pusher " + pusher + ": " + e);
                            }
                        }
                    },
                    "race-pusher-" + p);
            thread.setDaemon(true);
            thread.start();
            pushers.add(thread);
        }
        Path layout = OciImages.build(dir, "sk", 1, 1024);
        AtomicInteger skopeoPushed = new AtomicInteger();
        Thread skopeo = new Thread(
                () -> {
                    for (int i = 0; pushing.get() && i < 15; i++) {
                        String tag = "skopeo-" + i;
                        try {
                            Commands.run(
                                    dir,
                                    "skopeo",
                                    "copy",
                                    "--dest-tls-verify=false",
                                    "--dest-creds",
                                    platform.adminCreds(),
                                    "oci:" + layout + ":sk",
                                    "docker://" + platform.registry() + "/" + repo + ":" + tag);
                            acknowledged.put(tag, OciImages.manifestDigest(layout, "sk"));
                            skopeoPushed.incrementAndGet();
                        } catch (AssertionError | RuntimeException e) {
                            refused.incrementAndGet(); // a layer skopeo found present went before the manifest:
                            // refused, retried next time
                        }
                    }
                },
                "race-skopeo");
        skopeo.setDaemon(true);
        skopeo.start();

        int manifestsPruned = 0;
        int linksCollected = 0;
        int blobsCollected = 0;
        try {
            for (int iteration = 1; iteration <= ITERATIONS; iteration++) {
                if (iteration % 100 == 0) {
                    renewBearer();
                }
                manifestsPruned += prune(Map.of("repository", repo))
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("manifests")
                        .size();
                JsonPath collected = gc(false, iteration % 50 == 0 ? "PT0.2S" : null);
                linksCollected += collected.getList("links").size();
                blobsCollected += collected.getInt("blobs");
                if (iteration % 100 == 0) {
                    assertTagsAcknowledgedAreWhole(repo, acknowledged, deletedTags);
                }
            }
        } finally {
            pushing.set(false);
            for (Thread pusher : pushers) {
                pusher.join();
            }
            skopeo.join();
        }
        assertEquals(null, serverError.get());
        assertTagsAcknowledgedAreWhole(repo, acknowledged, deletedTags);
        assertEveryTagWhole(repo);
        assertTrue(acknowledged.size() > 100, "pushes went on: " + acknowledged.size());
        assertTrue(
                manifestsPruned > ITERATIONS / 20
                        && linksCollected > ITERATIONS / 10
                        && blobsCollected > ITERATIONS / 20,
                "the collections had work: " + manifestsPruned + " manifests, " + linksCollected + " links, "
                        + blobsCollected + " blobs");
        System.out.printf(
                "race: %d collections, %d pushes acknowledged (%d by skopeo), %d refused, %d manifests pruned, %d links and %d blobs collected%n",
                ITERATIONS,
                acknowledged.size(),
                skopeoPushed.get(),
                refused.get(),
                manifestsPruned,
                linksCollected,
                blobsCollected);
    }

    /** One push of the race: which kind depends on {@code i}. */
    /**
     * {@code system df} for a registry, against a hand count: two public repositories of a user
     * sharing a layer, one dangling image, and a private repository of someone else holding one of
     * their layers too, which the platform admin sees as sharing and the user does not.
     */
    @Test
    @Order(5)
    void storageUsageMatchesAHandCount() {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String owner = "dfowner" + suffix;
        String stranger = "dfstranger" + suffix;
        for (String user : List.of(owner, stranger)) {
            RestAssured.given()
                    .baseUri(base())
                    .contentType("application/json")
                    .body(Map.of("username", user, "password", PASSWORD))
                    .post("/api/v1/users")
                    .then()
                    .statusCode(201);
        }
        String a = owner + "/a";
        String b = owner + "/b";
        String secret = stranger + "/secret";
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(stranger, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", secret, "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        bearer = platform.adminBearer(a, b, secret);

        byte[] shared = random(3000);
        byte[] onlyOne = random(5000);
        byte[] onlyTwo = random(4000);
        byte[] danglingLayer = random(7000);
        byte[] onlyB = random(2000);
        byte[] c1 = config("one");
        byte[] c2 = config("two");
        byte[] c3 = config("three");
        byte[] cb = config("b");
        byte[] cs = config("secret");
        image(a, "one", c1, shared, onlyOne);
        image(a, "two", c2, shared, onlyTwo);
        image(a, null, c3, danglingLayer, shared); // never tagged: dangling at once (grace 0)
        image(b, "latest", cb, shared, onlyB);
        image(secret, "latest", cs, onlyB); // the stranger's private image holds one of b's layers

        long logicalA = (c1.length + 3000 + 5000) + (c2.length + 3000 + 4000) + (c3.length + 7000 + 3000);
        long storedA = c1.length + c2.length + c3.length + 3000 + 5000 + 4000 + 7000;
        JsonPath asAdmin = storage(Map.of("repository", a), Platform.ADMIN, platform.adminPassword);
        assertFigures(asAdmin, "total", 2, 2, 3, 1, 7, logicalA, storedA, storedA - 3000, c3.length + 7000);
        assertEquals(
                asAdmin.getLong("total.reclaimableBytes"),
                prune(Map.of("repository", a, "dryRun", true))
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getLong("bytesFreed"),
                "reclaimable is what a prune would free");

        // b as the admin sees it: the shared layer is a's too, its own layer the stranger's too
        long storedB = cb.length + 3000 + 2000;
        assertFigures(
                storage(Map.of("repository", b), Platform.ADMIN, platform.adminPassword),
                "total",
                1,
                1,
                1,
                0,
                3,
                storedB,
                storedB,
                cb.length,
                0);
        // as its owner: nothing told of the stranger's private repository
        assertFigures(
                storage(Map.of("repository", b), owner, PASSWORD),
                "total",
                1,
                1,
                1,
                0,
                3,
                storedB,
                storedB,
                cb.length + 2000,
                0);

        // the namespace: each blob once, the shared layer unique to it for its owner
        JsonPath namespace = storage(Map.of("namespace", owner, "verbose", true), owner, PASSWORD);
        assertFigures(
                namespace,
                "total",
                3,
                3,
                4,
                1,
                9,
                logicalA + storedB,
                storedA + cb.length + 2000,
                storedA + cb.length + 2000,
                c3.length + 7000);
        assertEquals(List.of(a, b), namespace.getList("repositories.repository"));
        assertFigures(
                namespace, "repositories[0].usage", 2, 2, 3, 1, 7, logicalA, storedA, storedA - 3000, c3.length + 7000);
        assertFigures(namespace, "repositories[1].usage", 1, 1, 1, 0, 3, storedB, storedB, cb.length + 2000, 0);

        // who may look: a public repository anyone signed in, a private one only who may read it, the platform only
        // admins
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(stranger, PASSWORD)
                .queryParam("repository", a)
                .get("/api/v1/storage")
                .then()
                .statusCode(200);
        RestAssured.given()
                .baseUri(base())
                .queryParam("repository", a)
                .get("/api/v1/storage")
                .then()
                .statusCode(401);
        for (String spelling : List.of(secret, secret + "/", " " + secret, stranger + "/Secret")) {
            int status = RestAssured.given()
                    .baseUri(base())
                    .auth()
                    .preemptive()
                    .basic(owner, PASSWORD)
                    .queryParam("repository", spelling)
                    .get("/api/v1/storage")
                    .statusCode();
            assertTrue(status == 404 || status == 400, spelling + " answered " + status);
        }
        for (String spelling : List.of(stranger + "/../" + secret, stranger + "//secret", secret + "\u0000")) {
            RestAssured.given()
                    .baseUri(base())
                    .auth()
                    .preemptive()
                    .basic(owner, PASSWORD)
                    .queryParam("repository", spelling)
                    .get("/api/v1/storage")
                    .then()
                    .statusCode(400);
        }
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .queryParam("namespace", stranger)
                .get("/api/v1/storage")
                .then()
                .statusCode(404);
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .get("/api/v1/storage")
                .then()
                .statusCode(403);
        RestAssured.given().baseUri(base()).get("/api/v1/storage").then().statusCode(401);
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .queryParam("repository", a)
                .queryParam("namespace", owner)
                .get("/api/v1/storage")
                .then()
                .statusCode(400);

        // the whole platform, as docker system df prints it
        String text = RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .accept("text/plain")
                .queryParam("verbose", true)
                .get("/api/v1/storage")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(text.startsWith("TYPE"), text);
        assertTrue(text.contains("Unreferenced blobs"), text);
        assertTrue(text.lines().anyMatch(line -> line.startsWith(a + " ")), text);
        JsonPath platformWide = storage(Map.of(), Platform.ADMIN, platform.adminPassword);
        // each blob once: the shared layer is a's and b's, b's own layer the secret's too
        assertTrue(
                platformWide.getLong("total.storedBytes") >= storedA + storedB - 3000 + cs.length,
                platformWide.prettify());
        assertTrue(platformWide.getLong("unreferenced.blobs") >= 0);
    }

    /** The portal in Chromium: a repository's storage panel, a prune previewed then confirmed, a stranger refused (e2e/storage.mjs). */
    @Test
    @Order(6)
    void thePortalShowsStorageAndPrunesAfterAPreview(@TempDir Path dir) throws Exception {
        OciLayoutWriter first = new OciLayoutWriter(dir.resolve("first"));
        first.tag("v1", first.image("amd64", 2, 20_000));
        OciLayoutWriter second = new OciLayoutWriter(dir.resolve("second"));
        second.tag("v1", second.image("amd64", 2, 30_000));
        String firstDigest = OciImages.manifestDigest(first.path(), "v1");
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        Commands.Result run = Commands.attempt(
                Path.of("e2e").toAbsolutePath(),
                "node",
                "storage.mjs",
                "http://127.0.0.1:" + platform.portalPort,
                screenshots.toString(),
                platform.registry(),
                first.path().toString(),
                second.path().toString(),
                firstDigest,
                suffix);
        assertEquals(0, run.exitCode(), run.output());
        String repo = "pruner" + suffix + "/app";
        bearer = platform.adminBearer(repo);
        manifest(repo, firstDigest).then().statusCode(404);
        manifest(repo, "v1").then().statusCode(200);
        assertEveryTagWhole(repo);
        for (String shot : List.of("storage.png", "prune-preview.png", "pruned.png", "prune-refused.png")) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 1000, shot);
        }
    }

    /**
     * Retention rules (ECR lifecycle style): keep the two newest v* tags, remove pr-* tags older than
     * two seconds, never touch release-*; a dry run lists exactly what a real run removes, and a
     * namespace's "not pulled for" rule is applied by the schedule (every 2 s here) on its own.
     */
    @Test
    @Order(7)
    void retentionRulesRemoveTagsOnDemandAndOnSchedule() throws Exception {
        String owner = "keeper" + UUID.randomUUID().toString().substring(0, 6);
        String stranger = "peeker" + UUID.randomUUID().toString().substring(0, 6);
        for (String user : List.of(owner, stranger)) {
            RestAssured.given()
                    .baseUri(base())
                    .contentType("application/json")
                    .body(Map.of("username", user, "password", PASSWORD))
                    .post("/api/v1/users")
                    .then()
                    .statusCode(201);
        }
        String repo = owner + "/app";
        String idle = owner + "/idle";
        bearer = platform.adminBearer(repo, idle);
        Map<String, String> digests = new LinkedHashMap<>();
        for (String tag : List.of("v1", "v2", "v3", "v4", "v5", "release-1", "pr-1")) {
            digests.put(tag, image(repo, tag, config(tag), random(500)));
        }
        putManifest(repo, "latest", OCI_MANIFEST, manifest(repo, "v5").asByteArray())
                .then()
                .statusCode(201);
        Thread.sleep(2500);
        digests.put("pr-2", image(repo, "pr-2", config("pr-2"), random(500)));

        Supplier<RequestSpecification> asOwner = () -> RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json");
        Map<String, Object> rules = Map.of(
                "repository",
                repo,
                "rules",
                List.of(Map.of("tags", "v*", "keepLast", 2), Map.of("tags", "pr-*", "olderThan", "2s")),
                "protect",
                List.of("release-*"));
        asOwner.get()
                .body(rules)
                .put("/api/v1/retention")
                .then()
                .statusCode(200)
                .body("policy.protect", equalTo(List.of("release-*")));
        asOwner.get()
                .queryParam("repository", repo)
                .get("/api/v1/retention")
                .then()
                .statusCode(200)
                .body("policy.rules[0].keepLast", equalTo(2))
                .body("updatedBy", equalTo(owner));

        Set<String> doomedTags = Set.of("v1", "v2", "v3", "pr-1");
        Set<String> doomedManifests =
                Set.of(digests.get("v1"), digests.get("v2"), digests.get("v3"), digests.get("pr-1"));
        // the schedule (every 2 s here) applies the same rules and may get there between two requests:
        // each answer is all of it or, when the schedule came first, nothing
        JsonPath preview = asOwner.get()
                .body(Map.of("repository", repo, "all", true, "dryRun", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        boolean scheduleFirst = preview.getList("tags").isEmpty();
        if (!scheduleFirst) {
            assertEquals(doomedTags, new HashSet<>(preview.getList("tags.tag")));
            assertEquals(doomedManifests, new HashSet<>(preview.getList("manifests.digest")));
            scheduleFirst =
                    manifest(repo, "v1").statusCode() == 404; // the dry run rolled back; the schedule may not have
        }
        JsonPath done = asOwner.get()
                .body(Map.of("repository", repo, "all", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        if (!done.getList("tags").isEmpty()) {
            assertEquals(doomedTags, new HashSet<>(done.getList("tags.tag")));
            assertEquals(doomedManifests, new HashSet<>(done.getList("manifests.digest")));
        } else {
            assertTrue(scheduleFirst || manifest(repo, "v1").statusCode() == 404, "the real run removed nothing");
        }
        assertEquals(
                Set.of("v4", "v5", "latest", "release-1", "pr-2"),
                new HashSet<>(RestAssured.given()
                        .baseUri(base())
                        .header("Authorization", bearer)
                        .get("/v2/" + repo + "/tags/list")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("tags")));
        for (String gone : doomedManifests) {
            manifest(repo, gone).then().statusCode(404);
        }
        assertEveryTagWhole(repo);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertTrue(
                        new HashSet<>(audit(repo, "tag.deleted").getList("items.data.tag")).containsAll(doomedTags)));
        assertTrue(audit(repo, "retention.changed").getList("items").size() >= 1);

        // rules that do not parse, and callers who do not administer the repository or the namespace
        asOwner.get()
                .body(Map.of(
                        "repository", repo, "rules", List.of(Map.of("tags", "*", "keepLast", 1, "olderThan", "3d"))))
                .put("/api/v1/retention")
                .then()
                .statusCode(400)
                .body("field", equalTo("rules"));
        asOwner.get()
                .body(Map.of("repository", repo, "rules", List.of(Map.of("olderThan", "a month"))))
                .put("/api/v1/retention")
                .then()
                .statusCode(400)
                .body("detail", containsString("30d"));
        Supplier<RequestSpecification> asStranger = () -> RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(stranger, PASSWORD)
                .contentType("application/json");
        asStranger.get().body(rules).put("/api/v1/retention").then().statusCode(404);
        asStranger
                .get()
                .queryParam("repository", repo)
                .get("/api/v1/retention")
                .then()
                .statusCode(404);
        asStranger
                .get()
                .body(Map.of("namespace", owner, "rules", List.of(Map.of("keepLast", 0))))
                .put("/api/v1/retention")
                .then()
                .statusCode(404);
        asStranger
                .get()
                .body(Map.of("repository", repo, "all", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(404);
        RestAssured.given()
                .baseUri(base())
                .contentType("application/json")
                .body(rules)
                .put("/api/v1/retention")
                .then()
                .statusCode(401);
        asOwner.get()
                .queryParam("repository", repo)
                .delete("/api/v1/retention")
                .then()
                .statusCode(204);
        asOwner.get()
                .queryParam("repository", repo)
                .get("/api/v1/retention")
                .then()
                .statusCode(404);
        for (String spelling : List.of(owner + "\u0000", owner + "/", owner.toUpperCase(), "")) {
            asOwner.get()
                    .body(Map.of("namespace", spelling, "rules", List.of(Map.of("keepLast", 1))))
                    .put("/api/v1/retention")
                    .then()
                    .statusCode(400);
        }
        asOwner.get()
                .queryParam("namespace", owner + "\u0000")
                .get("/api/v1/storage")
                .then()
                .statusCode(400);
        // a deleted repository's rules go with it: made again under the name, it has none
        String doomed = owner + "/doomed";
        bearer = platform.adminBearer(repo, idle, doomed);
        image(doomed, "v1", config("doomed"), random(100));
        asOwner.get()
                .body(Map.of("repository", doomed, "rules", List.of(Map.of("keepLast", 0))))
                .put("/api/v1/retention")
                .then()
                .statusCode(200);
        asOwner.get().delete("/api/v1/repositories/" + doomed).then().statusCode(204);
        // tokens that named the deleted repository ended with it (AccessIT): a client asks anew
        bearer = platform.adminBearer(repo, idle, doomed);
        image(doomed, "v1", config("doomed again"), random(100));
        asOwner.get()
                .queryParam("repository", doomed)
                .get("/api/v1/retention")
                .then()
                .statusCode(404);

        // the namespace's rule, applied by the schedule alone: "b" is not pulled and goes, "a" is, "keep" is protected
        for (String tag : List.of("a", "b", "keep")) {
            image(idle, tag, config("idle " + tag), random(300));
        }
        asOwner.get()
                .body(Map.of(
                        "namespace", owner, "rules", List.of(Map.of("notPulledFor", "4s")), "protect", List.of("keep")))
                .put("/api/v1/retention")
                .then()
                .statusCode(200);
        Instant until = Instant.now().plusSeconds(40);
        boolean bGone = false;
        while (!bGone && Instant.now().isBefore(until)) {
            manifest(idle, "a").then().statusCode(200); // a pull; the tag list below is not
            Thread.sleep(500);
            bGone = !RestAssured.given()
                    .baseUri(base())
                    .header("Authorization", bearer)
                    .get("/v2/" + idle + "/tags/list")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("tags")
                    .contains("b");
        }
        assertTrue(bGone, "the schedule did not remove the tag nobody pulled");
        manifest(idle, "a").then().statusCode(200);
        manifest(idle, "keep").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertEquals(
                        "system", audit(idle, "tag.deleted").getString("items.find { it.data.tag == 'b' }.actor")));
        asOwner.get()
                .queryParam("namespace", owner)
                .delete("/api/v1/retention")
                .then()
                .statusCode(204);
    }

    /**
     * After everything above (prunes, collections, retention, with their tag.deleted,
     * manifest.deleted, blob.deleted, prune.* and retention.changed events), rebuilding every
     * projection from the log gives the live tables back, row for row.
     */
    @Test
    @Order(8)
    void projectionsRebuiltAfterPrunesEqualTheLiveOnes() {
        Response rebuilt = RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .post("/api/v1/admin/projections/rebuild");
        rebuilt.then().statusCode(200);
        for (Map<String, Object> table : rebuilt.jsonPath().<Map<String, Object>>getList("tables")) {
            assertEquals(table.get("live"), table.get("rebuilt"), "table " + table.get("table") + " differs: " + table);
            assertEquals(table.get("liveRows"), table.get("rebuiltRows"), "rows of " + table.get("table"));
        }
        assertEquals(Boolean.TRUE, rebuilt.jsonPath().get("identical"), rebuilt.asString());
    }

    /**
     * A collection that outlasts what registry-api waits (10 s here, 90 s by default: idle HTTP
     * connections close after two minutes) is answered 202 and goes on; its report arrives as the
     * storage.garbage_collected event, and a second collection meanwhile is refused with 409.
     */
    /**
     * registry-api SIGKILLed in the middle of a 60-repository namespace's prune: each repository's prune is a
     * transaction of its own, so what it pruned is gone, what it had not reached is still there for
     * the next prune, and every tag is whole throughout.
     */
    @Test
    @Order(10)
    void aPruneKilledMidwayLeavesEveryTagWholeAndTheNextPruneFinishes() throws Exception {
        String namespace = "killprune" + UUID.randomUUID().toString().substring(0, 6); // only these repositories
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(Map.of("name", namespace))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        List<String> repos = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String repo = namespace + "/app-" + i;
            repos.add(repo);
            String own = platform.adminBearer(repo);
            byte[] layer = random(300);
            byte[] config = config("killed prune " + i);
            for (byte[] blob : List.of(layer, config)) {
                RestAssured.given()
                        .baseUri(base())
                        .header("Authorization", own)
                        .contentType("application/octet-stream")
                        .queryParam("digest", sha256(blob))
                        .body(blob)
                        .post("/v2/" + repo + "/blobs/uploads/")
                        .then()
                        .statusCode(201);
            }
            // an index first, then the image over the same tag: the index dangles
            RestAssured.given()
                    .baseUri(base())
                    .header("Authorization", own)
                    .contentType(OCI_INDEX)
                    .body(indexBytes(List.of()))
                    .put("/v2/" + repo + "/manifests/latest")
                    .then()
                    .statusCode(201);
            RestAssured.given()
                    .baseUri(base())
                    .header("Authorization", own)
                    .contentType(OCI_MANIFEST)
                    .body(imageBytes(config, layer))
                    .put("/v2/" + repo + "/manifests/latest")
                    .then()
                    .statusCode(201);
        }
        Supplier<RequestSpecification> admin = () -> RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json");
        Thread prune = new Thread(() -> {
            try {
                admin.get().body(Map.of("namespace", namespace)).post("/api/v1/prune");
            } catch (Exception expected) {
                // registry-api dies under it
            }
        });
        prune.start();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    JsonPath run = admin.get().get("/api/v1/prune").jsonPath();
                    return run.get("run") != null && run.getInt("run.done") >= 5;
                });
        platform.kill("registry-api");
        prune.join();
        platform.restart("registry-api", platform.registryPort);

        Set<String> left = new HashSet<>();
        for (Object item : admin.get()
                .body(Map.of("namespace", namespace, "dryRun", true))
                .post("/api/v1/prune")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("manifests.repository")) {
            left.add((String) item);
        }
        long pending = repos.stream().filter(left::contains).count();
        System.out.printf(
                "PruneIT: registry-api killed with %d of %d repositories still to prune%n", pending, repos.size());
        assertTrue(pending > 0 && pending < repos.size(), "the kill did not land in the middle: " + pending + " left");
        for (String repo : repos) {
            String own = platform.adminBearer(repo);
            RestAssured.given()
                    .baseUri(base())
                    .header("Authorization", own)
                    .accept(OCI_MANIFEST)
                    .get("/v2/" + repo + "/manifests/latest")
                    .then()
                    .statusCode(200);
        }
        admin.get()
                .body(Map.of("namespace", namespace))
                .post("/api/v1/prune")
                .then()
                .statusCode(200);
        assertTrue(
                admin
                        .get()
                        .body(Map.of("namespace", namespace, "dryRun", true))
                        .post("/api/v1/prune")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("manifests.repository")
                        .stream()
                        .noneMatch(repos::contains),
                "the next prune finished the work");
        for (String repo : repos.subList(0, 10)) {
            renewBearerFor(repo);
            assertEveryTagWhole(repo);
        }
        renewBearer();
    }

    @Test
    @Order(9)
    void aLongCollectionIsAnswered202AndFinishesOnItsOwn() {
        int before = audit("layer-store", "storage.garbage_collected")
                .getList("items")
                .size();
        Instant started = Instant.now();
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(Map.of("pause", "PT5S"))
                .post("/api/v1/system/gc")
                .then()
                .statusCode(202)
                .body("running", equalTo(true));
        RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(Map.of("dryRun", true))
                .post("/api/v1/system/gc")
                .then()
                .statusCode(409);
        // meanwhile its progress can be read, as ./drydock system prune prints it on long runs
        JsonPath running = latestCollection().jsonPath();
        assertTrue(running.getBoolean("run.running"), running.prettify());
        assertEquals(Platform.ADMIN, running.getString("run.actor"));
        assertTrue(
                running.getInt("run.phaseNumber") >= 1 && running.getInt("run.phaseNumber") <= 4, running.prettify());
        String line = RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .accept("text/plain")
                .get("/api/v1/system/gc")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(line.startsWith("Garbage collection running (by admin), phase "), line);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertEquals(
                        before + 1,
                        audit("layer-store", "storage.garbage_collected")
                                .getList("items")
                                .size()));
        // its record is finished just after its event is written
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !latestCollection().jsonPath().getBoolean("run.running"));
        JsonPath finished = latestCollection().jsonPath();
        assertEquals("completed", finished.getString("run.outcome"));
        assertTrue(
                Duration.between(
                                        Instant.parse(finished.getString("run.startedAt")),
                                        Instant.parse(finished.getString("run.finishedAt")))
                                .toSeconds()
                        >= 14,
                finished.prettify());
        assertTrue(Duration.between(started, Instant.now()).toSeconds() >= 14, "three pauses of 5 s");
        gc(true, null); // the lease is free again
    }

    private static JsonPath storage(Map<String, Object> query, String user, String password) {
        return RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(user, password)
                .queryParams(query)
                .get("/api/v1/storage")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static void assertFigures(
            JsonPath report,
            String at,
            long tags,
            long images,
            long manifests,
            long dangling,
            long blobs,
            long logical,
            long stored,
            long unique,
            long reclaimable) {
        String where = report.prettify();
        assertEquals(tags, report.getLong(at + ".tags"), where);
        assertEquals(images, report.getLong(at + ".images"), where);
        assertEquals(manifests, report.getLong(at + ".manifests"), where);
        assertEquals(dangling, report.getLong(at + ".danglingManifests"), where);
        assertEquals(blobs, report.getLong(at + ".blobs"), where);
        assertEquals(logical, report.getLong(at + ".logicalBytes"), where);
        assertEquals(stored, report.getLong(at + ".storedBytes"), where);
        assertEquals(unique, report.getLong(at + ".uniqueBytes"), where);
        assertEquals(stored - unique, report.getLong(at + ".sharedBytes"), where);
        assertEquals(reclaimable, report.getLong(at + ".reclaimableBytes"), where);
    }

    private static void racePush(
            String repo,
            String baseRepo,
            byte[] base,
            String tag,
            int i,
            List<String> mine,
            Map<String, String> acknowledged,
            AtomicInteger refused,
            AtomicReference<String> serverError) {
        Response put;
        if (i % 5 == 3 && !mine.isEmpty()) {
            // a stored manifest under a new tag, as `docker tag` + push does
            String again = acknowledged.get(mine.get(mine.size() - 1));
            Response existing = manifest(repo, again);
            if (existing.statusCode() != 200) {
                return; // its old tag was deleted and the manifest pruned meanwhile
            }
            put = putManifest(repo, tag, existing.header("Content-Type"), existing.asByteArray());
        } else if (i % 5 == 4) {
            String child = pushImageOrNull(repo, null, base, baseRepo, refused, serverError);
            if (child == null) {
                return;
            }
            put = putManifest(repo, tag, OCI_INDEX, indexBytes(List.of(child)));
        } else {
            String digest = pushImageOrNull(repo, tag, base, baseRepo, refused, serverError);
            if (digest != null) {
                acknowledged.put(tag, digest);
                mine.add(tag);
            }
            return;
        }
        record(put, tag, mine, acknowledged, refused, serverError);
    }

    /** Pushes an image with a new layer and the base layer (HEAD, then a mount or an upload if missing). */
    private static String pushImageOrNull(
            String repo,
            String tag,
            byte[] base,
            String baseRepo,
            AtomicInteger refused,
            AtomicReference<String> serverError) {
        byte[] layer = random(512);
        byte[] config = config(UUID.randomUUID().toString());
        upload(repo, layer);
        upload(repo, config);
        String baseDigest = sha256(base);
        if (blobHead(repo, baseDigest) != 200) {
            Response mount = RestAssured.given()
                    .baseUri(base())
                    .header("Authorization", bearer)
                    .queryParam("mount", baseDigest)
                    .queryParam("from", baseRepo)
                    .post("/v2/" + repo + "/blobs/uploads/");
            if (mount.statusCode() != 201) {
                upload(repo, base);
            }
        }
        Response put = putManifest(
                repo,
                tag == null ? digestOf(imageBytes(config, base, layer)) : tag,
                OCI_MANIFEST,
                imageBytes(config, base, layer));
        if (put.statusCode() == 201) {
            return put.header("Docker-Content-Digest");
        }
        countRefusal(put, refused, serverError);
        return null;
    }

    private static void record(
            Response put,
            String tag,
            List<String> mine,
            Map<String, String> acknowledged,
            AtomicInteger refused,
            AtomicReference<String> serverError) {
        if (put.statusCode() == 201) {
            acknowledged.put(tag, put.header("Docker-Content-Digest"));
            mine.add(tag);
        } else {
            countRefusal(put, refused, serverError);
        }
    }

    private static void countRefusal(Response put, AtomicInteger refused, AtomicReference<String> serverError) {
        if (put.statusCode() == 400 && put.asString().contains("MANIFEST_BLOB_UNKNOWN")) {
            refused.incrementAndGet();
        } else {
            serverError.compareAndSet(null, "a manifest PUT answered " + put.statusCode() + ": " + put.asString());
        }
    }

    @Test
    @Order(4)
    void aCollectorKilledInAnyPhaseLeavesWhatTheNextRunFinishes() throws Exception {
        String repo = "admin/killed";
        for (int phase = 0; phase < 3; phase++) {
            List<byte[]> garbage = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] layer = random(1000);
                garbage.add(layer);
                image(repo, "doomed", config("doomed " + phase + " " + i), layer);
            }
            String kept = image(repo, "kept-" + phase, config("kept " + phase), random(1000));
            RestAssured.given()
                    .baseUri(base())
                    .header("Authorization", bearer)
                    .delete("/v2/" + repo + "/manifests/doomed")
                    .then()
                    .statusCode(202);
            prune(Map.of("repository", repo)).then().statusCode(200);
            // phases: uploads, pause, links, pause, blobs, pause, stray files: killed in the pause after `phase`
            Thread run = new Thread(() -> {
                try {
                    gc(false, "PT2S");
                } catch (Throwable expected) {
                    // the collector dies under it
                }
            });
            run.start();
            Thread.sleep(1000 + 2000L * phase);
            platform.kill("layer-store");
            run.join();
            platform.restart("layer-store", platform.layerStorePort);
            JsonPath second = gc(false, null); // the lease died with the killed collector's connection
            assertTrue(second.getInt("blobs") >= 0);
            for (byte[] layer : garbage) {
                assertFalse(
                        Files.exists(platform.blobFile(sha256(layer))),
                        "phase " + phase + ": the next run finished the work");
            }
            manifest(repo, kept).then().statusCode(200);
            assertEveryTagWhole(repo);
        }
    }

    // --- pushing and reading

    private static void assertTagsAcknowledgedAreWhole(
            String repo, Map<String, String> acknowledged, Set<String> deletedTags) {
        for (Map.Entry<String, String> tag : Map.copyOf(acknowledged).entrySet()) {
            if (deletedTags.contains(tag.getKey())) {
                continue;
            }
            // the pushers go on meanwhile: a tag they delete (recorded before their DELETE) between the
            // reading above and the reads below is theirs to lose, so a failure counts only if it is
            // still not recorded as deleted once seen
            try {
                Response read = manifest(repo, tag.getKey());
                assertEquals(200, read.statusCode(), "tag " + tag.getKey() + " was answered 201 and never deleted");
                assertEquals(tag.getValue(), read.header("Docker-Content-Digest"));
                assertManifestWhole(repo, read);
            } catch (AssertionError failure) {
                if (!deletedTags.contains(tag.getKey())) {
                    throw failure;
                }
            }
        }
    }

    /** Every tag of the repository reaches manifests whose blobs are all readable with their digests. */
    private static void assertEveryTagWhole(String repo) {
        List<String> tags = RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .get("/v2/" + repo + "/tags/list")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tags");
        for (String tag : tags) {
            assertManifestWhole(
                    repo, manifest(repo, tag).then().statusCode(200).extract().response());
        }
    }

    private static void assertManifestWhole(String repo, Response read) {
        JsonNode manifest = readJson(read.asByteArray());
        if (manifest.has("manifests")) {
            for (JsonNode child : manifest.get("manifests")) {
                Response childRead = manifest(repo, child.get("digest").asText());
                assertEquals(
                        200,
                        childRead.statusCode(),
                        "a kept index's child " + child.get("digest").asText());
                assertManifestWhole(repo, childRead);
            }
            return;
        }
        List<JsonNode> blobs = new ArrayList<>();
        blobs.add(manifest.get("config"));
        manifest.get("layers").forEach(blobs::add);
        for (JsonNode descriptor : blobs) {
            String digest = descriptor.get("digest").asText();
            Response blob = blob(repo, digest);
            assertEquals(200, blob.statusCode(), "blob " + digest + " of a manifest a tag reaches");
            assertEquals(digest, sha256(blob.asByteArray()));
        }
    }

    private static String image(String repo, String tag, byte[] config, byte[]... layers) {
        upload(repo, config);
        for (byte[] layer : layers) {
            upload(repo, layer);
        }
        byte[] manifest = imageBytes(config, layers);
        Response put = putManifest(repo, tag == null ? digestOf(manifest) : tag, OCI_MANIFEST, manifest);
        assertEquals(201, put.statusCode(), put.asString());
        return put.header("Docker-Content-Digest");
    }

    private static String index(String repo, String tag, String... children) {
        Response put = putManifest(repo, tag, OCI_INDEX, indexBytes(List.of(children)));
        assertEquals(201, put.statusCode(), put.asString());
        return put.header("Docker-Content-Digest");
    }

    private static String referrer(String repo, String subject, byte[] config, byte[] layer) {
        upload(repo, config);
        upload(repo, layer);
        ObjectNode manifest = imageNode(config, layer);
        manifest.put("artifactType", "application/vnd.drydock.test.signature");
        Response subjectRead = manifest(repo, subject);
        manifest.putObject("subject")
                .put("mediaType", OCI_MANIFEST)
                .put("digest", subject)
                .put("size", subjectRead.asByteArray().length);
        byte[] bytes = write(manifest);
        Response put = putManifest(repo, digestOf(bytes), OCI_MANIFEST, bytes);
        assertEquals(201, put.statusCode(), put.asString());
        return put.header("Docker-Content-Digest");
    }

    private static byte[] imageBytes(byte[] config, byte[]... layers) {
        return write(imageNode(config, layers));
    }

    private static ObjectNode imageNode(byte[] config, byte[]... layers) {
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_MANIFEST);
        manifest.putObject("config")
                .put("mediaType", OCI_CONFIG)
                .put("digest", sha256(config))
                .put("size", config.length);
        ArrayNode descriptors = manifest.putArray("layers");
        for (byte[] layer : layers) {
            descriptors
                    .addObject()
                    .put("mediaType", LAYER)
                    .put("digest", sha256(layer))
                    .put("size", layer.length);
        }
        return manifest;
    }

    private static byte[] indexBytes(List<String> children) {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (String child : children) {
            ObjectNode entry = manifests
                    .addObject()
                    .put("mediaType", OCI_MANIFEST)
                    .put("digest", child)
                    .put("size", 1);
            entry.putObject("platform").put("os", "linux").put("architecture", "amd64");
        }
        return write(index);
    }

    /** An image config with a unique history line, so that each is a blob of its own. */
    private static byte[] config(String note) {
        return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                        + "\"history\":[{\"created_by\":\"" + note + " " + UUID.randomUUID() + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void upload(String repo, byte[] bytes) {
        RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .contentType("application/octet-stream")
                .queryParam("digest", sha256(bytes))
                .body(bytes)
                .post("/v2/" + repo + "/blobs/uploads/")
                .then()
                .statusCode(201);
    }

    private static Response putManifest(String repo, String reference, String mediaType, byte[] bytes) {
        return RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .contentType(mediaType)
                .body(bytes)
                .put("/v2/" + repo + "/manifests/" + reference);
    }

    private static Response manifest(String repo, String reference) {
        return RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .accept(OCI_MANIFEST + ", " + OCI_INDEX)
                .get("/v2/" + repo + "/manifests/" + reference);
    }

    private static Response blob(String repo, String digest) {
        return RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .get("/v2/" + repo + "/blobs/" + digest);
    }

    private static int blobHead(String repo, String digest) {
        return RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .head("/v2/" + repo + "/blobs/" + digest)
                .statusCode();
    }

    private static Response prune(Map<String, Object> body) {
        return RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(body)
                .post("/api/v1/prune");
    }

    private static JsonPath gc(boolean dryRun, String pause) {
        Map<String, Object> body = pause == null ? Map.of("dryRun", dryRun) : Map.of("dryRun", dryRun, "pause", pause);
        return RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(body)
                .post("/api/v1/system/gc")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static Response latestCollection() {
        return RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .get("/api/v1/system/gc")
                .then()
                .statusCode(200)
                .extract()
                .response();
    }

    private static JsonPath audit(String subject, String type) {
        return RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .queryParam("repository", subject)
                .queryParam("type", "dev.drydock." + type)
                .queryParam("limit", 500)
                .get("/api/v1/audit")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static String personalToken(String user, String scope) {
        return RestAssured.given()
                .baseUri(base())
                .auth()
                .preemptive()
                .basic(user, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", "laptop-" + scope, "scope", scope))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
    }

    private static String base() {
        return "http://" + platform.registry();
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static String digestOf(byte[] bytes) {
        return sha256(bytes);
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

    private static JsonNode readJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
