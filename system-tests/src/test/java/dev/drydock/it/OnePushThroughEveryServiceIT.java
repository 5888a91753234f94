package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.events.Event;
import dev.drydock.events.EventCodec;
import dev.drydock.events.EventType;
import dev.drydock.events.RegistryEvents;
import dev.drydock.events.Topic;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One image pushed with skopeo through the front door reaches every service: pulled back
 * identical, stored once by layer-store, announced on Kafka as CloudEvents, projected into the
 * audit log and shown by the portal. The push happens once, before the tests, in a repository of
 * this class's own; each test only reads, so they run in any order.
 */
class OnePushThroughEveryServiceIT {

    private static final String REPOSITORY =
            "acme/hello-" + UUID.randomUUID().toString().substring(0, 8);
    private static Platform platform;
    private static Path layout;
    private static String manifestDigest;

    @TempDir
    static Path work;

    /** The REST API takes the admin's password (or a session), not a registry token. */
    private static RequestSpecification anonymous() {
        return RestAssured.given().baseUri("http://" + platform.registry());
    }

    private static RequestSpecification account() {
        return anonymous().auth().preemptive().basic(Platform.ADMIN, platform.adminPassword);
    }

    private static RequestSpecification given() {
        return anonymous().header("Authorization", platform.adminBearer(REPOSITORY, "nobody/nothing"));
    }

    @BeforeAll
    static void pushAnImageWithSkopeo() {
        platform = Platform.get();
        layout = OciImages.build(work, "v1", 3, 200_000);
        manifestDigest = OciImages.manifestDigest(layout, "v1");
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + layout + ":v1",
                "docker://" + platform.registry() + "/" + REPOSITORY + ":v1");
    }

    @Test
    void skopeoPullsBackTheSameDigestsStoredOnceByLayerStore() throws Exception {
        Path pulled = work.resolve("pulled");
        // a public repository: pulled without credentials
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "docker://" + platform.registry() + "/" + REPOSITORY + ":v1",
                "oci:" + pulled + ":v1");

        assertEquals(manifestDigest, OciImages.manifestDigest(pulled, "v1"));
        List<String> pushedBlobs = OciImages.blobDigests(layout, manifestDigest);
        assertEquals(pushedBlobs, OciImages.blobDigests(pulled, manifestDigest));
        assertEquals(4, pushedBlobs.size(), "config and three layers");
        for (String digest : pushedBlobs) {
            byte[] original = Files.readAllBytes(OciImages.blobPath(layout, digest));
            assertArrayEquals(original, Files.readAllBytes(OciImages.blobPath(pulled, digest)), digest);
            // stored by layer-store, once, under its digest
            assertArrayEquals(original, Files.readAllBytes(platform.blobFile(digest)), digest);
        }
    }

    @Test
    void theRegistryAnswersTagsAndTheManifestByDigest() {
        given().get("/v2/" + REPOSITORY + "/tags/list")
                .then()
                .statusCode(200)
                .body("name", equalTo(REPOSITORY))
                .body("tags", equalTo(List.of("v1")));
        given().accept("application/vnd.oci.image.manifest.v1+json")
                .get("/v2/" + REPOSITORY + "/manifests/" + manifestDigest)
                .then()
                .statusCode(200)
                .header("Docker-Content-Digest", manifestDigest)
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json");
        given().get("/v2/").then().statusCode(200).header("Docker-Distribution-API-Version", "registry/2.0");
    }

    @Test
    void thePushIsOnKafkaAsCloudEventsFromTheOutbox() {
        Map<String, Object> config = platform.kafka.clientSettings();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "one-push-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Event> seen = new ArrayList<>();
        List<String> rawJson = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topic.REGISTRY.topicName()));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (REPOSITORY.equals(record.key())) {
                        seen.add(EventCodec.decode(record.value()));
                        rawJson.add(new String(record.value(), StandardCharsets.UTF_8));
                    }
                }
                return seen.stream()
                        .anyMatch(e -> e.type() == EventType.TAG_CREATED
                                && seen.stream().anyMatch(m -> m.type() == EventType.MANIFEST_PUSHED));
            });
        }
        RegistryEvents.ManifestPushed pushed = seen.stream()
                .map(Event::data)
                .filter(RegistryEvents.ManifestPushed.class::isInstance)
                .map(RegistryEvents.ManifestPushed.class::cast)
                .filter(m -> m.digest().equals(manifestDigest))
                .findFirst()
                .orElseThrow();
        assertEquals(OciImages.blobDigests(layout, manifestDigest), pushed.blobs());
        RegistryEvents.TagCreated tag = seen.stream()
                .map(Event::data)
                .filter(RegistryEvents.TagCreated.class::isInstance)
                .map(RegistryEvents.TagCreated.class::cast)
                .findFirst()
                .orElseThrow();
        assertEquals(new RegistryEvents.TagCreated(REPOSITORY, "v1", manifestDigest), tag);
        assertTrue(
                rawJson.stream().allMatch(json -> json.contains("\"specversion\":\"1.0\"")), "structured CloudEvents");
        assertTrue(seen.stream().anyMatch(e -> e.type() == EventType.BLOB_UPLOADED), "layer-store's own events too");
        assertTrue(
                seen.stream()
                        .allMatch(
                                e -> e.actor().userAgent() != null && e.actor().clientAddress() != null),
                "the actor travels with every event");
        assertTrue(
                seen.stream()
                        .filter(e -> e.type() == EventType.MANIFEST_PUSHED || e.type() == EventType.TAG_CREATED)
                        .allMatch(e -> "admin".equals(e.actor().user())
                                && e.actor().userAgent().contains("skopeo")),
                "the push is the admin's, with skopeo");
    }

    @Test
    void theAuditLogThroughTheFrontDoorShowsThePushWithinSeconds() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> account()
                        .queryParam("repository", REPOSITORY)
                        .get("/api/v1/audit")
                        .then()
                        .statusCode(200)
                        .body(
                                "items.type",
                                hasItems(
                                        "dev.drydock.manifest.pushed",
                                        "dev.drydock.tag.created",
                                        "dev.drydock.blob.uploaded",
                                        "dev.drydock.repository.created")));
        account().get("/api/v1/audit/verify").then().statusCode(200).body("intact", equalTo(true));
        // the audit log is not for everyone
        anonymous()
                .queryParam("repository", REPOSITORY)
                .get("/api/v1/audit")
                .then()
                .statusCode(401);
    }

    @Test
    void thePortalHomePageListsTheRepositoryWithItsTag() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String html = RestAssured.given()
                    .baseUri(platform.portalUrl("/").toString())
                    .get()
                    .then()
                    .statusCode(200)
                    .contentType("text/html")
                    .extract()
                    .asString();
            assertTrue(html.contains("data-repository=\"" + REPOSITORY + "\""), html);
            assertTrue(html.contains(">v1<"), html);
            assertTrue(html.contains(manifestDigest.substring(0, 19)), html);
        });
    }

    @Test
    void unknownRepositoriesAndTagsAre404WithTheOciErrorBody() {
        given().get("/v2/nobody/nothing/manifests/v1")
                .then()
                .statusCode(404)
                .contentType("application/json")
                .body("errors[0].code", equalTo("NAME_UNKNOWN"));
        given().get("/v2/" + REPOSITORY + "/manifests/v404")
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));
        given().get("/v2/nobody/nothing/tags/list")
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("NAME_UNKNOWN"));
    }

    @Test
    void anUploadWhoseBytesDoNotMatchItsDigestIsRefusedAndStoresNothing() throws Exception {
        byte[] bytes = new byte[50_000];
        new Random().nextBytes(bytes);
        String actual = "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        String claimed = "sha256:" + "0".repeat(64);
        String location = given().post("/v2/" + REPOSITORY + "/blobs/uploads/")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        given().contentType("application/octet-stream")
                .body(bytes)
                .queryParam("digest", claimed)
                .put(location)
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));

        assertFalse(Files.exists(platform.blobFile(actual)));
        assertFalse(Files.exists(platform.blobFile(claimed)));
        given().head("/v2/" + REPOSITORY + "/blobs/" + actual).then().statusCode(404);
        given().get(location).then().statusCode(404).body("errors[0].code", equalTo("BLOB_UPLOAD_UNKNOWN"));
    }

    @Test
    void clientMistakesNeverAnswer5xx() {
        String[][] requests = {
            {"GET", "/v2/UPPER/case/manifests/v1"},
            {"GET", "/v2/" + REPOSITORY + "/manifests/sha256:nothex"},
            {"GET", "/v2/" + REPOSITORY + "/blobs/sha256:nothex"},
            {"GET", "/v2/" + REPOSITORY + "/blobs/uploads/not-a-uuid"},
            {"PUT", "/v2/" + REPOSITORY + "/manifests/bad%20tag"},
            {"PUT", "/v2/" + REPOSITORY + "/manifests/v2"},
            {"GET", "/v2/acme/..%2F..%2Fetc/manifests/v1"},
            {"DELETE", "/v2/" + REPOSITORY + "/blobs/uploads/"},
        };
        for (String[] request : requests) {
            int status = anonymous()
                    .header("Authorization", platform.adminBearer(REPOSITORY, "upper/case"))
                    .urlEncodingEnabled(false)
                    .contentType("application/vnd.oci.image.manifest.v1+json")
                    .body("{not json")
                    .request(request[0], request[1])
                    .then()
                    .extract()
                    .statusCode();
            assertTrue(status >= 400 && status < 500, request[0] + " " + request[1] + " answered " + status);
        }
    }
}
