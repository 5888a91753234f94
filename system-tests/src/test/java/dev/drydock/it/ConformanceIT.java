package dev.drydock.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The four workflows of the OCI Distribution Specification v1.1 — pull, push, content discovery,
 * content management, with cross-repository mounts — request by request through the front door,
 * the way the spec's conformance suite drives a registry: a plain HTTP client that logs in by
 * following each {@code 401} challenge to {@code /token}, and checks the status codes, headers and
 * bodies the spec prescribes. (The suite itself cannot be built here; this is not a copy of it.)
 */
class ConformanceIT {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Client registry;

    @BeforeAll
    static void start() {
        registry = new Client(Platform.get());
    }

    @Test
    void theBaseEndpointChallengesAnonymousCallersAndAnswersTheApiVersion() throws Exception {
        HttpResponse<byte[]> anonymous = registry.anonymous("GET", "/v2/");
        assertEquals(401, anonymous.statusCode());
        String challenge = anonymous.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertTrue(challenge.startsWith("Bearer realm=\"") && challenge.contains("service=\""), challenge);

        HttpResponse<byte[]> base = registry.send("GET", "/v2/", Map.of(), null, "registry:catalog:*");
        assertEquals(200, base.statusCode());
        assertEquals(
                "registry/2.0",
                base.headers().firstValue("Docker-Distribution-API-Version").orElse(null));
    }

    @Nested
    class Push {

        private static final String REPO = "conformance/push";

        @Test
        void aMonolithicUploadIsAPostThenAPutWithTheDigest() throws Exception {
            byte[] blob = randomBytes(70_000);
            HttpResponse<byte[]> post = registry.send("POST", "/v2/" + REPO + "/blobs/uploads/", Map.of(), null);
            assertEquals(202, post.statusCode());
            assertTrue(post.headers().firstValue("Docker-Upload-UUID").isPresent(), "no Docker-Upload-UUID");
            String location = location(post);

            HttpResponse<byte[]> put = registry.send(
                    "PUT",
                    withQuery(location, "digest=" + digest(blob)),
                    Map.of("Content-Type", "application/octet-stream"),
                    blob);
            assertEquals(201, put.statusCode(), text(put));
            assertEquals(
                    digest(blob),
                    put.headers().firstValue("Docker-Content-Digest").orElse(null));
            assertTrue(location(put).endsWith("/v2/" + REPO + "/blobs/" + digest(blob)), location(put));

            HttpResponse<byte[]> head = registry.send("HEAD", "/v2/" + REPO + "/blobs/" + digest(blob), Map.of(), null);
            assertEquals(200, head.statusCode());
            assertEquals(
                    String.valueOf(blob.length),
                    head.headers().firstValue("Content-Length").orElse(null));
            assertEquals(
                    digest(blob),
                    head.headers().firstValue("Docker-Content-Digest").orElse(null));
        }

        @Test
        void aSinglePostWithTheDigestAndTheBytesStoresTheBlob() throws Exception {
            byte[] blob = randomBytes(5_000);
            HttpResponse<byte[]> post = registry.send(
                    "POST",
                    "/v2/" + REPO + "/blobs/uploads/?digest=" + digest(blob),
                    Map.of("Content-Type", "application/octet-stream"),
                    blob);
            assertEquals(201, post.statusCode(), text(post));
            assertTrue(location(post).endsWith("/blobs/" + digest(blob)), location(post));
            assertArrayEquals(
                    blob,
                    registry.send("GET", "/v2/" + REPO + "/blobs/" + digest(blob), Map.of(), null)
                            .body());
        }

        @Test
        void chunksArePatchedInOrderWithTheirRangeReportedAndAnOutOfOrderChunkIs416() throws Exception {
            byte[] blob = randomBytes(300_000);
            byte[] first = Arrays.copyOfRange(blob, 0, 100_000);
            byte[] second = Arrays.copyOfRange(blob, 100_000, 200_000);
            byte[] last = Arrays.copyOfRange(blob, 200_000, blob.length);
            String location = location(registry.send("POST", "/v2/" + REPO + "/blobs/uploads/", Map.of(), null));

            HttpResponse<byte[]> patched = registry.send("PATCH", location, chunk(0, first), first);
            assertEquals(202, patched.statusCode(), text(patched));
            assertEquals("0-99999", patched.headers().firstValue("Range").orElse(null));
            location = location(patched);

            HttpResponse<byte[]> status = registry.send("GET", location, Map.of(), null);
            assertEquals(204, status.statusCode());
            assertEquals("0-99999", status.headers().firstValue("Range").orElse(null));
            assertNotNull(status.headers().firstValue("Docker-Upload-UUID").orElse(null));

            HttpResponse<byte[]> outOfOrder = registry.send("PATCH", location, chunk(150_000, second), second);
            assertEquals(416, outOfOrder.statusCode(), text(outOfOrder));
            HttpResponse<byte[]> overlapping = registry.send("PATCH", location, chunk(50_000, second), second);
            assertEquals(416, overlapping.statusCode(), text(overlapping));

            patched = registry.send("PATCH", location, chunk(100_000, second), second);
            assertEquals(202, patched.statusCode(), text(patched));
            assertEquals("0-199999", patched.headers().firstValue("Range").orElse(null));

            // the closing PUT carries the last chunk
            HttpResponse<byte[]> put = registry.send(
                    "PUT",
                    withQuery(location(patched), "digest=" + digest(blob)),
                    Map.of("Content-Type", "application/octet-stream"),
                    last);
            assertEquals(201, put.statusCode(), text(put));
            assertArrayEquals(
                    blob,
                    registry.send("GET", "/v2/" + REPO + "/blobs/" + digest(blob), Map.of(), null)
                            .body());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(HttpClient.Version.class)
        void aStreamedPatchWithoutLengthOrRangeIsAppendedAndASha512DigestClosesTheUpload(HttpClient.Version version)
                throws Exception {
            byte[] blob = randomBytes(500_000);
            String location = location(registry.send("POST", "/v2/" + REPO + "/blobs/uploads/", Map.of(), null));
            // no length: in HTTP/1.1 chunked transfer encoding, in HTTP/2 (h2c) a stream with no length header
            HttpResponse<byte[]> streamed = registry.stream("PATCH", location, new ByteArrayInputStream(blob), version);
            assertEquals(version, streamed.version());
            assertEquals(202, streamed.statusCode(), text(streamed));
            assertEquals("0-499999", streamed.headers().firstValue("Range").orElse(null));

            String sha512 = "sha512:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-512").digest(blob));
            HttpResponse<byte[]> put =
                    registry.send("PUT", withQuery(location(streamed), "digest=" + sha512), Map.of(), null);
            assertEquals(201, put.statusCode(), text(put));
            assertEquals(
                    sha512, put.headers().firstValue("Docker-Content-Digest").orElse(null));
            HttpResponse<byte[]> get = registry.send("GET", "/v2/" + REPO + "/blobs/" + sha512, Map.of(), null);
            assertEquals(200, get.statusCode());
            assertEquals(
                    sha512, get.headers().firstValue("Docker-Content-Digest").orElse(null));
            assertArrayEquals(blob, get.body());
        }

        @Test
        void aCancelledUploadIsUnknownAfterwards() throws Exception {
            String location = location(registry.send("POST", "/v2/" + REPO + "/blobs/uploads/", Map.of(), null));
            assertEquals(204, registry.send("DELETE", location, Map.of(), null).statusCode());
            HttpResponse<byte[]> status = registry.send("GET", location, Map.of(), null);
            assertEquals(404, status.statusCode());
            assertEquals("BLOB_UPLOAD_UNKNOWN", errorCode(status));
        }

        @Test
        void aMountFromARepositoryThatHasTheBlobIs201AndAnyOtherMountAnUploadSession() throws Exception {
            byte[] blob = randomBytes(40_000);
            registry.pushBlob("conformance/mount-source", blob);

            HttpResponse<byte[]> mounted = registry.send(
                    "POST",
                    "/v2/conformance/mount-target/blobs/uploads/?mount=" + digest(blob)
                            + "&from=conformance/mount-source",
                    Map.of(),
                    null,
                    "mount");
            assertEquals(201, mounted.statusCode(), text(mounted));
            assertTrue(
                    location(mounted).endsWith("/v2/conformance/mount-target/blobs/" + digest(blob)),
                    location(mounted));
            assertEquals(
                    200,
                    registry.send("HEAD", "/v2/conformance/mount-target/blobs/" + digest(blob), Map.of(), null)
                            .statusCode());

            byte[] elsewhere = randomBytes(1_000);
            HttpResponse<byte[]> fallback = registry.send(
                    "POST",
                    "/v2/conformance/mount-target/blobs/uploads/?mount=" + digest(elsewhere)
                            + "&from=conformance/mount-source",
                    Map.of(),
                    null,
                    "mount");
            assertEquals(202, fallback.statusCode(), text(fallback));
            HttpResponse<byte[]> completed = registry.send(
                    "PUT",
                    withQuery(location(fallback), "digest=" + digest(elsewhere)),
                    Map.of("Content-Type", "application/octet-stream"),
                    elsewhere);
            assertEquals(201, completed.statusCode(), text(completed));
        }

        @Test
        void aManifestIsPutByTagAndByDigestAndOneWithAnUnknownBlobIsRefused() throws Exception {
            Image image = registry.pushImage(REPO);
            HttpResponse<byte[]> byTag = registry.send(
                    "PUT", "/v2/" + REPO + "/manifests/v1", Map.of("Content-Type", OCI_MANIFEST), image.manifest());
            assertEquals(201, byTag.statusCode(), text(byTag));
            assertEquals(
                    image.digest(),
                    byTag.headers().firstValue("Docker-Content-Digest").orElse(null));
            assertTrue(location(byTag).endsWith("/v2/" + REPO + "/manifests/" + image.digest()), location(byTag));

            HttpResponse<byte[]> byDigest = registry.send(
                    "PUT",
                    "/v2/" + REPO + "/manifests/" + image.digest(),
                    Map.of("Content-Type", OCI_MANIFEST),
                    image.manifest());
            assertEquals(201, byDigest.statusCode(), text(byDigest));

            HttpResponse<byte[]> wrongDigest = registry.send(
                    "PUT",
                    "/v2/" + REPO + "/manifests/" + digest(randomBytes(8)),
                    Map.of("Content-Type", OCI_MANIFEST),
                    image.manifest());
            assertEquals(400, wrongDigest.statusCode(), text(wrongDigest));
            assertEquals("DIGEST_INVALID", errorCode(wrongDigest));

            byte[] dangling = manifest(descriptor(OCI_CONFIG, randomBytes(10)), List.of(), null, null);
            HttpResponse<byte[]> refused = registry.send(
                    "PUT", "/v2/" + REPO + "/manifests/dangling", Map.of("Content-Type", OCI_MANIFEST), dangling);
            assertEquals(400, refused.statusCode(), text(refused));
            assertEquals("MANIFEST_BLOB_UNKNOWN", errorCode(refused));
            assertEquals(
                    404,
                    registry.send("GET", "/v2/" + REPO + "/manifests/dangling", Map.of(), null)
                            .statusCode());
        }

        @Test
        void anImageWithoutLayersAndAnArtifactWithTheEmptyConfigInlineAreAccepted() throws Exception {
            byte[] config =
                    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                            .getBytes(StandardCharsets.UTF_8);
            registry.pushBlob(REPO, config);
            byte[] noLayers = manifest(descriptor(OCI_CONFIG, config), List.of(), null, null);
            HttpResponse<byte[]> put = registry.send(
                    "PUT", "/v2/" + REPO + "/manifests/no-layers", Map.of("Content-Type", OCI_MANIFEST), noLayers);
            assertEquals(201, put.statusCode(), text(put));

            // the spec's empty descriptor carries its two bytes inline ("data"); the blob is pushed too, as clients do
            byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
            registry.pushBlob(REPO, empty);
            Map<String, Object> emptyConfig = new LinkedHashMap<>(descriptor(EMPTY_CONFIG, empty));
            emptyConfig.put("data", Base64.getEncoder().encodeToString(empty));
            byte[] artifact = manifest(
                    emptyConfig,
                    List.of(descriptor("application/vnd.example.data", config)),
                    "application/vnd.example.thing",
                    null);
            HttpResponse<byte[]> pushed = registry.send(
                    "PUT", "/v2/" + REPO + "/manifests/artifact", Map.of("Content-Type", OCI_MANIFEST), artifact);
            assertEquals(201, pushed.statusCode(), text(pushed));
            HttpResponse<byte[]> pulled =
                    registry.send("GET", "/v2/" + REPO + "/manifests/artifact", Map.of("Accept", OCI_MANIFEST), null);
            assertArrayEquals(artifact, pulled.body());
        }

        @Test
        void oneManifestPutByDigestMayTagItSeveralTimes() throws Exception {
            String repo = "conformance/several-tags";
            Image image = registry.pushImage(repo);
            HttpResponse<byte[]> put = registry.send(
                    "PUT",
                    "/v2/" + repo + "/manifests/" + image.digest() + "?tag=one&tag=two",
                    Map.of("Content-Type", OCI_MANIFEST),
                    image.manifest());
            assertEquals(201, put.statusCode(), text(put));
            assertEquals(
                    List.of("one", "two"),
                    strings(json(registry.send("GET", "/v2/" + repo + "/tags/list", Map.of(), null))
                            .get("tags")));
        }
    }

    @Nested
    class Pull {

        private static final String REPO = "conformance/pull";

        @Test
        void aPushedImageIsPulledByTagAndByDigestExactlyAsPushed() throws Exception {
            Image image = registry.pushImage(REPO);
            registry.putManifest(REPO, "stable", image.manifest());

            for (String reference : List.of("stable", image.digest())) {
                HttpResponse<byte[]> get = registry.send(
                        "GET", "/v2/" + REPO + "/manifests/" + reference, Map.of("Accept", OCI_MANIFEST), null);
                assertEquals(200, get.statusCode());
                assertArrayEquals(image.manifest(), get.body());
                assertEquals(
                        OCI_MANIFEST, get.headers().firstValue("Content-Type").orElse(null));
                assertEquals(
                        image.digest(),
                        get.headers().firstValue("Docker-Content-Digest").orElse(null));

                HttpResponse<byte[]> head = registry.send(
                        "HEAD", "/v2/" + REPO + "/manifests/" + reference, Map.of("Accept", OCI_MANIFEST), null);
                assertEquals(200, head.statusCode());
                assertEquals(0, head.body().length);
                assertEquals(
                        String.valueOf(image.manifest().length),
                        head.headers().firstValue("Content-Length").orElse(null));
                assertEquals(
                        image.digest(),
                        head.headers().firstValue("Docker-Content-Digest").orElse(null));
            }

            HttpResponse<byte[]> layer =
                    registry.send("GET", "/v2/" + REPO + "/blobs/" + digest(image.layer()), Map.of(), null);
            assertEquals(200, layer.statusCode());
            assertArrayEquals(image.layer(), layer.body());
            assertEquals(
                    digest(image.layer()),
                    layer.headers().firstValue("Docker-Content-Digest").orElse(null));

            HttpResponse<byte[]> range = registry.send(
                    "GET", "/v2/" + REPO + "/blobs/" + digest(image.layer()), Map.of("Range", "bytes=10-19"), null);
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOfRange(image.layer(), 10, 20), range.body());
            assertEquals(
                    "bytes 10-19/" + image.layer().length,
                    range.headers().firstValue("Content-Range").orElse(null));
        }

        @Test
        void whatWasNeverPushedIs404WithTheSpecsErrorCodes() throws Exception {
            Image image = registry.pushImage(REPO);
            registry.putManifest(REPO, "present", image.manifest());
            HttpResponse<byte[]> manifest =
                    registry.send("GET", "/v2/" + REPO + "/manifests/never-pushed", Map.of(), null);
            assertEquals(404, manifest.statusCode());
            assertEquals("MANIFEST_UNKNOWN", errorCode(manifest));
            HttpResponse<byte[]> byDigest =
                    registry.send("HEAD", "/v2/" + REPO + "/manifests/" + digest(randomBytes(8)), Map.of(), null);
            assertEquals(404, byDigest.statusCode());
            HttpResponse<byte[]> blob =
                    registry.send("GET", "/v2/" + REPO + "/blobs/" + digest(randomBytes(8)), Map.of(), null);
            assertEquals(404, blob.statusCode());
            assertEquals("BLOB_UNKNOWN", errorCode(blob));
            // a reference that is no valid tag or digest names no manifest: 404 too, not 400 (the
            // official suite asks for ".INVALID_MANIFEST_NAME"); only a push refuses it as TAG_INVALID
            for (String reference : List.of(".INVALID_MANIFEST_NAME", "-bad", "sha256:short", "x".repeat(129))) {
                HttpResponse<byte[]> get =
                        registry.send("GET", "/v2/" + REPO + "/manifests/" + reference, Map.of(), null);
                assertEquals(404, get.statusCode(), reference);
                assertEquals("MANIFEST_UNKNOWN", errorCode(get), reference);
                assertEquals(
                        404,
                        registry.send("HEAD", "/v2/" + REPO + "/manifests/" + reference, Map.of(), null)
                                .statusCode(),
                        reference);
                assertEquals(
                        404,
                        registry.send("DELETE", "/v2/" + REPO + "/manifests/" + reference, Map.of(), null)
                                .statusCode(),
                        reference);
            }
            HttpResponse<byte[]> badTag = registry.send(
                    "PUT",
                    "/v2/" + REPO + "/manifests/.INVALID_MANIFEST_NAME",
                    Map.of("Content-Type", OCI_MANIFEST),
                    image.manifest());
            assertEquals(400, badTag.statusCode());
            assertEquals("TAG_INVALID", errorCode(badTag));
        }
    }

    @Nested
    class ContentDiscovery {

        @Test
        void tagsAreListedInLexicalOrderAndPagedWithALinkToTheNextPage() throws Exception {
            String repo = "conformance/tags";
            Image image = registry.pushImage(repo);
            for (String tag : List.of("v3", "v1", "latest", "v2")) {
                registry.putManifest(repo, tag, image.manifest());
            }
            HttpResponse<byte[]> all = registry.send("GET", "/v2/" + repo + "/tags/list", Map.of(), null);
            assertEquals(200, all.statusCode());
            assertEquals(repo, json(all).get("name").asText());
            assertEquals(List.of("latest", "v1", "v2", "v3"), strings(json(all).get("tags")));

            HttpResponse<byte[]> page = registry.send("GET", "/v2/" + repo + "/tags/list?n=2", Map.of(), null);
            assertEquals(List.of("latest", "v1"), strings(json(page).get("tags")));
            String link = page.headers().firstValue("Link").orElseThrow();
            Matcher next = Pattern.compile("^<([^>]+)>;\\s*rel=\"next\"$").matcher(link);
            assertTrue(next.matches(), link);
            assertTrue(next.group(1).contains("n=2") && next.group(1).contains("last=v1"), link);

            HttpResponse<byte[]> rest = registry.send("GET", next.group(1), Map.of(), null);
            assertEquals(List.of("v2", "v3"), strings(json(rest).get("tags")));
            HttpResponse<byte[]> after = registry.send("GET", "/v2/" + repo + "/tags/list?n=2&last=v3", Map.of(), null);
            assertEquals(List.of(), strings(json(after).get("tags")));
            assertFalse(after.headers().firstValue("Link").isPresent());

            HttpResponse<byte[]> unknown =
                    registry.send("GET", "/v2/conformance/never-created/tags/list", Map.of(), null);
            assertEquals(404, unknown.statusCode());
            assertEquals("NAME_UNKNOWN", errorCode(unknown));
        }

        @Test
        void referrersListTheManifestsWhoseSubjectIsTheDigestFilteredByArtifactType() throws Exception {
            String repo = "conformance/referrers";
            Image image = registry.pushImage(repo);
            byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
            registry.pushBlob(repo, empty);
            Map<String, Object> subject =
                    Map.of("mediaType", OCI_MANIFEST, "digest", image.digest(), "size", image.manifest().length);

            byte[] sbomBlob = randomBytes(500);
            registry.pushBlob(repo, sbomBlob);
            byte[] sbom = manifest(
                    descriptor(EMPTY_CONFIG, empty),
                    List.of(descriptor("application/json", sbomBlob)),
                    "application/vnd.example.sbom",
                    subject);
            HttpResponse<byte[]> pushed = registry.send(
                    "PUT", "/v2/" + repo + "/manifests/" + digest(sbom), Map.of("Content-Type", OCI_MANIFEST), sbom);
            assertEquals(201, pushed.statusCode(), text(pushed));
            assertEquals(
                    image.digest(), pushed.headers().firstValue("OCI-Subject").orElse(null));

            // no artifactType: the config's media type stands for it
            byte[] signatureConfig = "{\"signed\":true}".getBytes(StandardCharsets.UTF_8);
            registry.pushBlob(repo, signatureConfig);
            byte[] signature = manifest(
                    descriptor("application/vnd.example.signature", signatureConfig),
                    List.of(descriptor("application/json", sbomBlob)),
                    null,
                    subject);
            registry.putManifest(repo, digest(signature), signature);

            HttpResponse<byte[]> all =
                    registry.send("GET", "/v2/" + repo + "/referrers/" + image.digest(), Map.of(), null);
            assertEquals(200, all.statusCode(), text(all));
            assertEquals(OCI_INDEX, all.headers().firstValue("Content-Type").orElse(null));
            JsonNode index = json(all);
            assertEquals(2, index.get("schemaVersion").asInt());
            assertEquals(OCI_INDEX, index.get("mediaType").asText());
            Map<String, String> byDigest = new HashMap<>();
            index.get("manifests").forEach(m -> {
                assertEquals(OCI_MANIFEST, m.get("mediaType").asText());
                byDigest.put(m.get("digest").asText(), m.get("artifactType").asText());
                if (m.get("digest").asText().equals(digest(sbom))) {
                    assertEquals(sbom.length, m.get("size").asInt());
                    assertEquals(
                            "2026-11-27T00:00:00Z",
                            m.get("annotations")
                                    .get("org.opencontainers.image.created")
                                    .asText());
                }
            });
            assertEquals(
                    Map.of(
                            digest(sbom),
                            "application/vnd.example.sbom",
                            digest(signature),
                            "application/vnd.example.signature"),
                    byDigest);

            HttpResponse<byte[]> filtered = registry.send(
                    "GET",
                    "/v2/" + repo + "/referrers/" + image.digest() + "?artifactType="
                            + URLEncoder.encode("application/vnd.example.sbom", StandardCharsets.UTF_8),
                    Map.of(),
                    null);
            assertEquals(200, filtered.statusCode());
            assertEquals(
                    "artifactType",
                    filtered.headers().firstValue("OCI-Filters-Applied").orElse(null));
            assertEquals(1, json(filtered).get("manifests").size());
            assertEquals(
                    digest(sbom),
                    json(filtered).get("manifests").get(0).get("digest").asText());

            HttpResponse<byte[]> none =
                    registry.send("GET", "/v2/" + repo + "/referrers/" + digest(randomBytes(8)), Map.of(), null);
            assertEquals(200, none.statusCode(), "the spec forbids a 404 for a subject with no referrers");
            assertEquals(0, json(none).get("manifests").size());
        }

        @Test
        void aReferrerPushedBeforeItsSubjectIsListed() throws Exception {
            String repo = "conformance/referrer-first";
            byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
            registry.pushBlob(repo, empty);
            byte[] layer = randomBytes(300);
            registry.pushBlob(repo, layer);
            String absent = digest(randomBytes(64));
            byte[] referrer = manifest(
                    descriptor(EMPTY_CONFIG, empty),
                    List.of(descriptor("application/json", layer)),
                    "application/vnd.example.early",
                    Map.of("mediaType", OCI_MANIFEST, "digest", absent, "size", 64));
            registry.putManifest(repo, digest(referrer), referrer);

            HttpResponse<byte[]> listed = registry.send("GET", "/v2/" + repo + "/referrers/" + absent, Map.of(), null);
            assertEquals(200, listed.statusCode());
            assertEquals(
                    digest(referrer),
                    json(listed).get("manifests").get(0).get("digest").asText());
        }
    }

    @Nested
    class ContentManagement {

        @Test
        void deletingATagRemovesOnlyThatTag() throws Exception {
            String repo = "conformance/delete-tag";
            Image image = registry.pushImage(repo);
            registry.putManifest(repo, "a", image.manifest());
            registry.putManifest(repo, "b", image.manifest());

            assertEquals(
                    202,
                    registry.send("DELETE", "/v2/" + repo + "/manifests/a", Map.of(), null)
                            .statusCode());
            assertEquals(
                    404,
                    registry.send("GET", "/v2/" + repo + "/manifests/a", Map.of(), null)
                            .statusCode());
            assertEquals(
                    200,
                    registry.send("GET", "/v2/" + repo + "/manifests/b", Map.of(), null)
                            .statusCode());
            assertEquals(
                    200,
                    registry.send("GET", "/v2/" + repo + "/manifests/" + image.digest(), Map.of(), null)
                            .statusCode());
            assertEquals(
                    List.of("b"),
                    strings(json(registry.send("GET", "/v2/" + repo + "/tags/list", Map.of(), null))
                            .get("tags")));
        }

        @Test
        void deletingAManifestByDigestRemovesItAndItsTags() throws Exception {
            String repo = "conformance/delete-manifest";
            Image image = registry.pushImage(repo);
            registry.putManifest(repo, "gone", image.manifest());

            assertEquals(
                    202,
                    registry.send("DELETE", "/v2/" + repo + "/manifests/" + image.digest(), Map.of(), null)
                            .statusCode());
            HttpResponse<byte[]> byDigest =
                    registry.send("GET", "/v2/" + repo + "/manifests/" + image.digest(), Map.of(), null);
            assertEquals(404, byDigest.statusCode());
            assertEquals("MANIFEST_UNKNOWN", errorCode(byDigest));
            assertEquals(
                    404,
                    registry.send("GET", "/v2/" + repo + "/manifests/gone", Map.of(), null)
                            .statusCode());
            assertEquals(
                    404,
                    registry.send("DELETE", "/v2/" + repo + "/manifests/" + image.digest(), Map.of(), null)
                            .statusCode());
        }

        @Test
        void deletingABlobMakesIt404InThatRepository() throws Exception {
            String repo = "conformance/delete-blob";
            byte[] blob = randomBytes(2_000);
            registry.pushBlob(repo, blob);

            assertEquals(
                    202,
                    registry.send("DELETE", "/v2/" + repo + "/blobs/" + digest(blob), Map.of(), null)
                            .statusCode());
            HttpResponse<byte[]> gone = registry.send("GET", "/v2/" + repo + "/blobs/" + digest(blob), Map.of(), null);
            assertEquals(404, gone.statusCode());
            assertEquals("BLOB_UNKNOWN", errorCode(gone));
            assertEquals(
                    404,
                    registry.send("DELETE", "/v2/" + repo + "/blobs/" + digest(blob), Map.of(), null)
                            .statusCode());
        }
    }

    /** A config and a layer in a repository, and the manifest naming them (not yet pushed). */
    record Image(byte[] manifest, String digest, byte[] layer) {}

    /**
     * A registry client as the conformance suite is one: each request goes out with the token it
     * last got for the scope, and a {@code 401} is answered by asking the challenge's realm for a
     * token for the challenge's scope with the admin's password, then sending the request again.
     */
    static final class Client {
        private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

        private final Platform platform;
        private final HttpClient http = HttpClient.newHttpClient();
        private final Map<String, String> tokens = new HashMap<>();

        Client(Platform platform) {
            this.platform = platform;
        }

        HttpResponse<byte[]> anonymous(String method, String path) throws IOException, InterruptedException {
            return http.send(
                    HttpRequest.newBuilder(platform.registryUrl(path))
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }

        HttpResponse<byte[]> send(String method, String pathOrUrl, Map<String, String> headers, byte[] body)
                throws IOException, InterruptedException {
            return send(method, pathOrUrl, headers, body, scopeOf(pathOrUrl));
        }

        HttpResponse<byte[]> send(
                String method, String pathOrUrl, Map<String, String> headers, byte[] body, String scope)
                throws IOException, InterruptedException {
            HttpResponse<byte[]> response = attempt(method, pathOrUrl, headers, body, tokens.get(scope));
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse(null);
            if (response.statusCode() != 401 || challenge == null) {
                return response;
            }
            String token = login(challenge);
            tokens.put(scope, token);
            return attempt(method, pathOrUrl, headers, body, token);
        }

        /** A body of unknown length, in this HTTP version (the client already holds a token for the repository). */
        HttpResponse<byte[]> stream(String method, String url, InputStream body, HttpClient.Version version)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            url.startsWith("http") ? URI.create(url) : platform.registryUrl(url))
                    .version(version)
                    .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> body))
                    .header("Content-Type", "application/octet-stream")
                    .header("Authorization", "Bearer " + tokens.get(scopeOf(url)));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        private HttpResponse<byte[]> attempt(
                String method, String pathOrUrl, Map<String, String> headers, byte[] body, String token)
                throws IOException, InterruptedException {
            URI uri = pathOrUrl.startsWith("http") ? URI.create(pathOrUrl) : platform.registryUrl(pathOrUrl);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(request::header);
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        private String login(String challenge) throws IOException, InterruptedException {
            Map<String, String> params = new HashMap<>();
            Matcher m = PARAM.matcher(challenge);
            while (m.find()) {
                params.put(m.group(1), m.group(2));
            }
            StringBuilder url = new StringBuilder(params.get("realm"))
                    .append("?service=")
                    .append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
            if (params.containsKey("scope")) {
                // as the challenge names it: one parameter, its scopes space-separated
                url.append("&scope=").append(URLEncoder.encode(params.get("scope"), StandardCharsets.UTF_8));
            }
            String basic =
                    Base64.getEncoder().encodeToString(platform.adminCreds().getBytes(StandardCharsets.UTF_8));
            HttpResponse<byte[]> answer = http.send(
                    HttpRequest.newBuilder(URI.create(url.toString()))
                            .header("Authorization", "Basic " + basic)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, answer.statusCode(), text(answer));
            return json(answer).get("token").asText();
        }

        /** The repository a request is about, so that tokens are kept per scope as clients keep them. */
        private static String scopeOf(String pathOrUrl) {
            Matcher m = Pattern.compile("/v2/(.+?)/(blobs|manifests|tags|referrers)/")
                    .matcher(pathOrUrl);
            return m.find() ? m.group(1) : "";
        }

        void pushBlob(String repository, byte[] blob) throws IOException, InterruptedException {
            HttpResponse<byte[]> post = send(
                    "POST",
                    "/v2/" + repository + "/blobs/uploads/?digest=" + digest(blob),
                    Map.of("Content-Type", "application/octet-stream"),
                    blob);
            assertEquals(201, post.statusCode(), text(post));
        }

        void putManifest(String repository, String reference, byte[] manifest)
                throws IOException, InterruptedException {
            HttpResponse<byte[]> put = send(
                    "PUT",
                    "/v2/" + repository + "/manifests/" + reference,
                    Map.of("Content-Type", OCI_MANIFEST),
                    manifest);
            assertEquals(201, put.statusCode(), text(put));
        }

        /** Pushes a new config and layer; the manifest naming them is returned, not pushed. */
        Image pushImage(String repository) throws IOException, InterruptedException {
            byte[] config =
                    ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                                    + "\"created\":\"" + Instant.now() + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
            byte[] layer = randomBytes(20_000);
            pushBlob(repository, config);
            pushBlob(repository, layer);
            byte[] manifest =
                    manifest(descriptor(OCI_CONFIG, config), List.of(descriptor(OCI_LAYER, layer)), null, null);
            return new Image(manifest, digest(manifest), layer);
        }
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] content) {
        return Map.of("mediaType", mediaType, "digest", digest(content), "size", content.length);
    }

    private static byte[] manifest(
            Map<String, Object> config,
            List<Map<String, Object>> layers,
            String artifactType,
            Map<String, Object> subject)
            throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        if (artifactType != null) {
            manifest.put("artifactType", artifactType);
        }
        manifest.put("config", config);
        manifest.put("layers", layers);
        if (subject != null) {
            manifest.put("subject", subject);
            manifest.put("annotations", Map.of("org.opencontainers.image.created", "2026-11-27T00:00:00Z"));
        }
        return JSON.writeValueAsBytes(manifest);
    }

    private static Map<String, String> chunk(long start, byte[] bytes) {
        return Map.of(
                "Content-Type", "application/octet-stream", "Content-Range", start + "-" + (start + bytes.length - 1));
    }

    private static String location(HttpResponse<byte[]> response) {
        return response.headers()
                .firstValue("Location")
                .orElseThrow(() -> new AssertionError("no Location: " + text(response)));
    }

    private static String withQuery(String location, String query) {
        return location + (location.contains("?") ? "&" : "?") + query;
    }

    private static String errorCode(HttpResponse<byte[]> response) throws IOException {
        return json(response).get("errors").get(0).get("code").asText();
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null && !array.isNull()) {
            array.forEach(value -> values.add(value.asText()));
        }
        return values;
    }

    private static String text(HttpResponse<byte[]> response) {
        return response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }

    private static String digest(byte[] content) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
