package dev.drydock.registry.manifest;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.events.Event;
import dev.drydock.events.EventCodec;
import dev.drydock.events.RegistryEvents;
import dev.drydock.events.Topic;
import dev.drydock.oci.Digest;
import dev.drydock.outbox.KafkaConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Manifest rules that need no blobs: an empty image index references nothing, so these run
 * against registry-api alone (with its real PostgreSQL and Kafka).
 */
@QuarkusTest
class ManifestPushTest {

    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    @Inject
    KafkaConfig kafka;

    private static String emptyIndex(String annotation) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]," + "\"annotations\":{\"note\":\""
                + annotation + "\"}}";
    }

    /** A registry token of the platform admin for the given repositories (and the catalog). */
    static String bearer(String... repositories) {
        var request = RestAssured.given()
                .auth()
                .preemptive()
                .basic("admin", "test-admin-password")
                .queryParam("service", "drydock")
                .queryParam("scope", "registry:catalog:*");
        for (String repository : repositories) {
            request.queryParam("scope", "repository:" + repository + ":pull,push,delete");
        }
        return "Bearer "
                + request.get("/token").then().statusCode(200).extract().path("token");
    }

    private static io.restassured.specification.RequestSpecification given(String bearer) {
        return RestAssured.given().header("Authorization", bearer);
    }

    private static String uniqueRepository() {
        return "test/r" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aTagMovesToANewManifestAndBothChangesAreEvents() {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        String first = emptyIndex("one");
        String second = emptyIndex("two");
        String firstDigest =
                Digest.sha256Of(first.getBytes(StandardCharsets.UTF_8)).toString();
        String secondDigest =
                Digest.sha256Of(second.getBytes(StandardCharsets.UTF_8)).toString();

        given(auth)
                .contentType(INDEX)
                .body(first)
                .put("/v2/" + repository + "/manifests/latest")
                .then()
                .statusCode(201)
                .header("Docker-Content-Digest", firstDigest)
                .header("Location", "/v2/" + repository + "/manifests/" + firstDigest);
        given(auth)
                .contentType(INDEX)
                .body(second)
                .put("/v2/" + repository + "/manifests/latest")
                .then()
                .statusCode(201);

        given(auth)
                .get("/v2/" + repository + "/manifests/latest")
                .then()
                .statusCode(200)
                .header("Docker-Content-Digest", secondDigest)
                .contentType(INDEX)
                .body(equalTo(second));
        given(auth)
                .head("/v2/" + repository + "/manifests/" + firstDigest)
                .then()
                .statusCode(200)
                .header("Content-Length", String.valueOf(first.length()));

        List<Event> events = eventsFor(repository, 5);
        assertTrue(
                events.stream()
                        .anyMatch(
                                e -> e.data().equals(new RegistryEvents.TagCreated(repository, "latest", firstDigest))),
                events.toString());
        assertTrue(
                events.stream()
                        .anyMatch(e -> e.data()
                                .equals(new RegistryEvents.TagMoved(repository, "latest", secondDigest, firstDigest))),
                events.toString());
        assertTrue(
                events.stream().anyMatch(e -> e.data() instanceof RegistryEvents.RepositoryCreated), events.toString());
    }

    @Test
    void tagsAreListedInLexicalOrderAndPaged() {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        String body = emptyIndex("tags");
        for (String tag : List.of("b", "a", "c10", "c9")) {
            given(auth)
                    .contentType(INDEX)
                    .body(body)
                    .put("/v2/" + repository + "/manifests/" + tag)
                    .then()
                    .statusCode(201);
        }
        given(auth)
                .queryParam("n", 2)
                .get("/v2/" + repository + "/tags/list")
                .then()
                .statusCode(200)
                .body("tags", equalTo(List.of("a", "b")))
                .header("Link", "</v2/" + repository + "/tags/list?n=2&last=b>; rel=\"next\"");
        given(auth)
                .queryParam("n", 2)
                .queryParam("last", "b")
                .get("/v2/" + repository + "/tags/list")
                .then()
                .statusCode(200)
                .body("tags", equalTo(List.of("c10", "c9")));
    }

    @Test
    void severalTagsInOnePut() {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        given(auth)
                .contentType(INDEX)
                .body(emptyIndex("multi"))
                .queryParam("tag", "x")
                .queryParam("tag", "y")
                .put("/v2/" + repository + "/manifests/w")
                .then()
                .statusCode(201);
        given(auth).get("/v2/" + repository + "/tags/list").then().body("tags", equalTo(List.of("w", "x", "y")));
    }

    @Test
    void aManifestPushedByItsSha512DigestIsServedUnderIt() throws Exception {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        byte[] content = emptyIndex("sha512").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha512 = "sha512:"
                + java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-512")
                                .digest(content));
        given(auth)
                .contentType(INDEX)
                .body(content)
                .put("/v2/" + repository + "/manifests/" + sha512)
                .then()
                .statusCode(201)
                .header("Docker-Content-Digest", sha512);
        byte[] read = given(auth)
                .accept(INDEX)
                .get("/v2/" + repository + "/manifests/" + sha512)
                .then()
                .statusCode(200)
                .header("Docker-Content-Digest", sha512)
                .extract()
                .asByteArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(content, read);
        // a sha512 digest that is not the body's stores nothing
        given(auth)
                .contentType(INDEX)
                .body(emptyIndex("other"))
                .put("/v2/" + repository + "/manifests/sha512:" + "a".repeat(128))
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
        given(auth)
                .get("/v2/" + repository + "/manifests/sha512:" + "a".repeat(128))
                .then()
                .statusCode(404);
    }

    @Test
    void badManifestsAreRefusedWithTheSpecCodes() {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        String path = "/v2/" + repository + "/manifests/v1";
        given(auth)
                .contentType(INDEX)
                .body("{not json")
                .put(path)
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("MANIFEST_INVALID"));
        given(auth)
                .contentType("application/vnd.docker.distribution.manifest.v1+prettyjws")
                .body("{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"v1\",\"fsLayers\":[]}"
                        .getBytes(StandardCharsets.UTF_8))
                .put(path)
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("MANIFEST_INVALID"))
                .body("errors[0].message", org.hamcrest.Matchers.containsString("schema 1"));
        given(auth)
                .contentType("text/plain")
                .body("{\"schemaVersion\":2}")
                .put(path)
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("MANIFEST_INVALID"));
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + "1".repeat(64)
                + "\",\"size\":10}]}";
        given(auth)
                .contentType(INDEX)
                .body(index)
                .put(path)
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("MANIFEST_BLOB_UNKNOWN"));
        given(auth)
                .contentType(INDEX)
                .body(emptyIndex("d"))
                .put("/v2/" + repository + "/manifests/sha256:" + "2".repeat(64))
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
        given(auth)
                .contentType(INDEX)
                .body(emptyIndex("t"))
                .put("/v2/" + repository + "/manifests/-bad")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("TAG_INVALID"));
        given(auth)
                .contentType(INDEX)
                .body("{\"x\":\"" + "a".repeat(4 * 1024 * 1024) + "\"}")
                .put(path)
                .then()
                .statusCode(413)
                .body("errors[0].code", equalTo("SIZE_INVALID"));
        // nothing of the above was stored
        given(auth)
                .get("/v2/" + repository + "/tags/list")
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("NAME_UNKNOWN"));
    }

    @Test
    void theCatalogIsPaged() {
        String auth = bearer("catalog/aaa", "catalog/bbb");
        given(auth)
                .contentType(INDEX)
                .body(emptyIndex("cat"))
                .put("/v2/catalog/aaa/manifests/v1")
                .then()
                .statusCode(201);
        given(auth)
                .contentType(INDEX)
                .body(emptyIndex("cat"))
                .put("/v2/catalog/bbb/manifests/v1")
                .then()
                .statusCode(201);
        given(auth)
                .queryParam("n", 1)
                .queryParam("last", "catalog/aaa")
                .get("/v2/_catalog")
                .then()
                .statusCode(200)
                .body("repositories", equalTo(List.of("catalog/bbb")));
    }

    @Test
    void deletingATagLeavesTheManifestAndDeletingTheManifestTakesItsTags() {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        String body = emptyIndex("delete");
        String digest = Digest.sha256Of(body.getBytes(StandardCharsets.UTF_8)).toString();
        given(auth)
                .contentType(INDEX)
                .body(body)
                .queryParam("tag", "b")
                .put("/v2/" + repository + "/manifests/a")
                .then()
                .statusCode(201);

        given(auth).delete("/v2/" + repository + "/manifests/a").then().statusCode(202);
        given(auth)
                .get("/v2/" + repository + "/manifests/a")
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));
        given(auth).get("/v2/" + repository + "/manifests/" + digest).then().statusCode(200);

        given(auth).delete("/v2/" + repository + "/manifests/" + digest).then().statusCode(202);
        given(auth).get("/v2/" + repository + "/manifests/" + digest).then().statusCode(404);
        given(auth).get("/v2/" + repository + "/manifests/b").then().statusCode(404);
        given(auth)
                .get("/v2/" + repository + "/tags/list")
                .then()
                .statusCode(200)
                .body("tags", equalTo(List.of()));
        given(auth)
                .delete("/v2/" + repository + "/manifests/" + digest)
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));

        List<Event> events = eventsFor(repository, 6);
        assertTrue(
                events.stream().anyMatch(e -> e.data().equals(new RegistryEvents.ManifestDeleted(repository, digest))),
                events.toString());
        assertTrue(
                events.stream().anyMatch(e -> e.data().equals(new RegistryEvents.TagDeleted(repository, "a", digest))),
                events.toString());
        assertTrue(
                events.stream().anyMatch(e -> e.data().equals(new RegistryEvents.TagDeleted(repository, "b", digest))),
                events.toString());
    }

    @Test
    void referrersAreListedEvenWhenPushedBeforeTheirSubjectAndFilteredByArtifactType() {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        String subject = emptyIndex("subject");
        String subjectDigest =
                Digest.sha256Of(subject.getBytes(StandardCharsets.UTF_8)).toString();
        String signature =
                "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"artifactType\":\"application/vnd.example.sig\","
                        + "\"manifests\":[],\"subject\":{\"mediaType\":\"" + INDEX + "\",\"digest\":\"" + subjectDigest
                        + "\",\"size\":"
                        + subject.length() + "},\"annotations\":{\"org.example.signer\":\"ci\"}}";
        String sbom = signature.replace("application/vnd.example.sig", "application/vnd.example.sbom");
        String signatureDigest =
                Digest.sha256Of(signature.getBytes(StandardCharsets.UTF_8)).toString();

        given(auth)
                .contentType(INDEX)
                .body(signature)
                .put("/v2/" + repository + "/manifests/" + signatureDigest)
                .then()
                .statusCode(201)
                .header("OCI-Subject", subjectDigest);
        given(auth)
                .contentType(INDEX)
                .body(sbom)
                .put("/v2/" + repository + "/manifests/sbom")
                .then()
                .statusCode(201);
        given(auth)
                .contentType(INDEX)
                .body(subject)
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201);

        given(auth)
                .get("/v2/" + repository + "/referrers/" + subjectDigest)
                .then()
                .statusCode(200)
                .contentType(INDEX)
                .body(
                        "manifests.artifactType",
                        org.hamcrest.Matchers.containsInAnyOrder(
                                "application/vnd.example.sig", "application/vnd.example.sbom"));
        given(auth)
                .queryParam("artifactType", "application/vnd.example.sig")
                .get("/v2/" + repository + "/referrers/" + subjectDigest)
                .then()
                .statusCode(200)
                .header("OCI-Filters-Applied", "artifactType")
                .body("manifests.digest", equalTo(List.of(signatureDigest)))
                .body("manifests[0].size", equalTo(signature.length()))
                .body("manifests[0].annotations.'org.example.signer'", equalTo("ci"));
        given(auth)
                .get("/v2/" + repository + "/referrers/sha256:" + "9".repeat(64))
                .then()
                .statusCode(200)
                .body("manifests", equalTo(List.of()));
        given(auth)
                .get("/v2/" + repository + "/referrers/not-a-digest")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
    }

    @Test
    void aManifestIsNotServedToAClientThatDoesNotAcceptItsMediaType() {
        String repository = uniqueRepository();
        String auth = bearer(repository);
        given(auth)
                .contentType(INDEX)
                .body(emptyIndex("accept"))
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201);
        given(auth)
                .accept("application/vnd.docker.distribution.manifest.v2+json")
                .get("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));
        given(auth)
                .accept("application/vnd.docker.distribution.manifest.v2+json, " + INDEX)
                .get("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(200)
                .contentType(INDEX);
    }

    private List<Event> eventsFor(String repository, int atLeast) {
        List<Event> events = new ArrayList<>();
        Map<String, Object> settings = kafka.login().clientSettings(kafka.bootstrap());
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topic.REGISTRY.topicName()));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    if (repository.equals(r.key())) {
                        events.add(EventCodec.decode(r.value()));
                    }
                });
                return events.size() >= atLeast;
            });
        }
        return events;
    }
}
