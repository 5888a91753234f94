package dev.drydock.registry.manifest;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.drydock.oci.Digest;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pulls answered from the manifest cache stay right: after this instance's own pushes, tag moves
 * and deletes at once, and after another instance's changes (written here straight into the
 * database, as another instance would) once PostgreSQL's notification arrives.
 */
@QuarkusTest
class ManifestCacheTest {

    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    @Inject
    ManifestCache cache;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    private static String index(String note) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[],\"annotations\":{\"note\":\""
                + note + "\"}}";
    }

    private static String digestOf(String manifest) {
        return Digest.sha256Of(manifest.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static io.restassured.specification.RequestSpecification as(String bearer) {
        return RestAssured.given().header("Authorization", bearer);
    }

    @BeforeEach
    void listenerConnected() {
        await().atMost(Duration.ofSeconds(10)).until(cache::isListening);
    }

    @Test
    void aPullAfterThisInstancesOwnChangesSeesThemAtOnce() {
        String repository = "test/c" + UUID.randomUUID().toString().substring(0, 8);
        String auth = ManifestPushTest.bearer(repository);
        String one = index("one");
        String two = index("two");
        as(auth).contentType(INDEX)
                .body(one)
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201);
        for (int i = 0; i < 3; i++) { // the first GET reads the database, the others the cache
            as(auth).get("/v2/" + repository + "/manifests/v1")
                    .then()
                    .statusCode(200)
                    .header("Docker-Content-Digest", digestOf(one));
        }
        as(auth).contentType(INDEX)
                .body(two)
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201);
        as(auth).get("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(200)
                .header("Docker-Content-Digest", digestOf(two));

        as(auth).get("/v2/" + repository + "/manifests/" + digestOf(two)).then().statusCode(200);
        as(auth).delete("/v2/" + repository + "/manifests/" + digestOf(two))
                .then()
                .statusCode(202);
        as(auth).get("/v2/" + repository + "/manifests/" + digestOf(two)).then().statusCode(404);
        as(auth).get("/v2/" + repository + "/manifests/v1").then().statusCode(404);
    }

    /**
     * A manifest the cache does not hold is answered by {@link ManifestResource}, one it holds by
     * {@link CachedManifestReads}: a client sees the same status, headers and bytes either way, for
     * GET and HEAD, and the same refusal for an {@code Accept} that leaves the manifest out.
     */
    @Test
    void theCachedAnswerIsTheAnswerTheResourceGives() {
        String repository = "test/c" + UUID.randomUUID().toString().substring(0, 8);
        String auth = ManifestPushTest.bearer(repository);
        String subject = index("subject");
        String referrer = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[],"
                + "\"subject\":{\"mediaType\":\"" + INDEX + "\",\"digest\":\"" + digestOf(subject) + "\",\"size\":"
                + subject.length() + "}}";
        as(auth).contentType(INDEX)
                .body(subject)
                .put("/v2/" + repository + "/manifests/s")
                .then()
                .statusCode(201);
        for (String tag : List.of("get", "head")) {
            as(auth).contentType(INDEX)
                    .body(referrer)
                    .put("/v2/" + repository + "/manifests/" + tag)
                    .then()
                    .statusCode(201);
        }
        for (String method : List.of("GET", "HEAD")) {
            String path = "/v2/" + repository + "/manifests/" + method.toLowerCase(Locale.ROOT);
            assertNull(cache.get(repository, method.toLowerCase(Locale.ROOT)), "not held before the first " + method);
            double before = cachedAnswers();
            Response first = as(auth).request(method, path);
            assertEquals(before, cachedAnswers(), "the first " + method + " is the resource's");
            // the pushes' own notifications arrive in their own time and may drop what the first
            // answer kept: ask until it stays held
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                as(auth).request(method, path).then().statusCode(200);
                return cache.get(repository, method.toLowerCase(Locale.ROOT)) != null;
            });
            before = cachedAnswers();
            Response cached = as(auth).request(method, path);
            assertEquals(before + 1, cachedAnswers(), "the second " + method + " is the cache's");
            assertEquals(200, first.statusCode());
            assertEquals(first.statusCode(), cached.statusCode(), method);
            assertArrayEquals(first.asByteArray(), cached.asByteArray(), method);
            assertEquals(method.equals("GET") ? referrer : "", cached.asString(), method);
            for (String header : List.of(
                    "Content-Type",
                    "Content-Length",
                    "Docker-Content-Digest",
                    "ETag",
                    "OCI-Subject",
                    "Docker-Distribution-API-Version")) {
                assertNotNull(first.header(header), method + " " + header);
                assertEquals(first.header(header), cached.header(header), method + " " + header);
            }
            assertEquals(digestOf(subject), cached.header("OCI-Subject"));
            assertEquals(Set.copyOf(names(first)), Set.copyOf(names(cached)), method + ": the same headers");
        }
        String path = "/v2/" + repository + "/manifests/get";
        as(auth).header("Accept", "application/vnd.oci.image.manifest.v1+json")
                .get(path)
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));
        as(auth).header("Accept", "application/vnd.oci.image.manifest.v1+json, " + INDEX + ";q=0.5")
                .get(path)
                .then()
                .statusCode(200)
                .header("Docker-Content-Digest", digestOf(referrer));
        // a token for another repository reads nothing here, cached or not
        as(ManifestPushTest.bearer("test/other")).get(path).then().statusCode(401);
    }

    private double cachedAnswers() {
        return meters.get("drydock.manifest_reads")
                .tag("served", "cache")
                .counter()
                .count();
    }

    /**
     * Recording when a manifest was pushed, touched or last pulled changes nothing a cache holds
     * and drops nothing; any other change to its row does. (Notifications arrive in commit order,
     * so once a later change elsewhere has been heard, an earlier one here would have been too.)
     */
    @Test
    void aManifestsTimesAloneAreNoChange() throws Exception {
        String repository = "test/c" + UUID.randomUUID().toString().substring(0, 8);
        String elsewhere = "test/c" + UUID.randomUUID().toString().substring(0, 8);
        for (String name : List.of(repository, elsewhere)) {
            String auth = ManifestPushTest.bearer(name);
            as(auth).contentType(INDEX)
                    .body(index(name))
                    .put("/v2/" + name + "/manifests/v1")
                    .then()
                    .statusCode(201);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                as(auth).get("/v2/" + name + "/manifests/v1").then().statusCode(200);
                return cache.get(name, "v1") != null;
            });
        }
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            update(c, "pushed_at = now(), touched_at = now(), pulled_at = now()", repository);
            update(c, "artifact_type = 'application/x-elsewhere'", elsewhere);
            await().atMost(Duration.ofSeconds(5)).until(() -> cache.get(elsewhere, "v1") == null);
            assertNotNull(cache.get(repository, "v1"), "its times alone changed: still held");

            update(c, "artifact_type = 'application/x-changed'", repository);
            await().atMost(Duration.ofSeconds(5)).until(() -> cache.get(repository, "v1") == null);
        }
    }

    private static void update(Connection c, String set, String repository) throws Exception {
        try (PreparedStatement update = c.prepareStatement("UPDATE registry.manifest SET " + set
                + " WHERE repository_id = (SELECT id FROM registry.repository WHERE name = ?)")) {
            update.setString(1, repository);
            assertEquals(1, update.executeUpdate());
        }
    }

    private static List<String> names(Response response) {
        return response.headers().asList().stream()
                .map(h -> h.getName().toLowerCase(Locale.ROOT))
                .toList();
    }

    @Test
    void aPullAfterAnotherInstancesChangeSeesItOnceNotified() throws Exception {
        String repository = "test/c" + UUID.randomUUID().toString().substring(0, 8);
        String auth = ManifestPushTest.bearer(repository);
        String one = index("one");
        String two = index("two");
        as(auth).contentType(INDEX)
                .body(one)
                .put("/v2/" + repository + "/manifests/" + digestOf(one))
                .then()
                .statusCode(201);
        as(auth).contentType(INDEX)
                .body(two)
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201);
        // the pushes' own notifications arrive in their own time and may drop what a pull kept
        // before them: pull until the answer stays in the cache
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            as(auth).get("/v2/" + repository + "/manifests/v1")
                    .then()
                    .statusCode(200)
                    .header("Docker-Content-Digest", digestOf(two));
            assertNotNull(cache.get(repository, "v1"), "the pull is kept");
        });

        // another instance moves the tag: this instance only hears of it through PostgreSQL
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement move = c.prepareStatement("UPDATE registry.tag SET digest = ? WHERE name = 'v1'"
                        + " AND repository_id = (SELECT id FROM registry.repository WHERE name = ?)")) {
            move.setString(1, digestOf(one));
            move.setString(2, repository);
            assertEquals(1, move.executeUpdate());
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> as(auth).get("/v2/" + repository + "/manifests/v1")
                        .then()
                        .statusCode(200)
                        .header("Docker-Content-Digest", digestOf(one)));
    }

    /**
     * This instance's own change drops what the cache holds when its transaction ends, with no
     * notification to help: nothing in the database changes here, so only that path can.
     */
    @Test
    void aChangeInThisInstanceDropsTheRepositorysEntriesWhenItsTransactionEnds() {
        String repository = "test/c" + UUID.randomUUID().toString().substring(0, 8);
        long repositoryId = -1 - (long) (Math.random() * 1_000_000); // no row has it: no notification can come
        StoredManifest kept = new StoredManifest(
                digestOf(index("kept")), INDEX, index("kept").getBytes(StandardCharsets.UTF_8), null, null);
        cache.keep(cache.generation(), repository, "v1", repositoryId, kept);
        assertNotNull(cache.get(repository, "v1"));

        long before = cache.generation();
        QuarkusTransaction.requiringNew().run(() -> {
            cache.changing(repositoryId);
            cache.keep(before, repository, "v1", repositoryId, kept);
            assertNull(cache.get(repository, "v1"), "a lookup that began before the change is not kept");
            // one that began after it read the database before the change committed: kept for now
            cache.keep(cache.generation(), repository, "v1", repositoryId, kept);
            assertNotNull(cache.get(repository, "v1"));
        });
        assertNull(cache.get(repository, "v1"), "dropped when the transaction ended");

        cache.keep(cache.generation(), repository, "v1", repositoryId, kept);
        assertNotNull(cache.get(repository, "v1"), "kept again once nothing is changing");
    }
}
