package dev.drydock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of client mistakes sent to the front door with a token that may do anything to the
 * repositories involved: every one answers 4xx with an error body, none a 5xx, and none stores
 * anything (no repository appears, no blob is written).
 */
class MalformedRequestsIT {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String GOOD_DIGEST = "sha256:" + "a".repeat(64);

    record Mistake(String method, String path, String contentType, String body, String header) {
        @Override
        public String toString() {
            return method + " " + path + (contentType == null ? "" : " [" + contentType + "]");
        }
    }

    static Stream<Mistake> corpus() {
        String repo = "/v2/malformed/repo";
        return Stream.of(
                new Mistake("PUT", repo + "/manifests/v1", OCI_MANIFEST, "{not json", null),
                new Mistake("PUT", repo + "/manifests/v1", OCI_MANIFEST, "[]", null),
                new Mistake("PUT", repo + "/manifests/v1", OCI_MANIFEST, "null", null),
                new Mistake("PUT", repo + "/manifests/v1", OCI_MANIFEST, "{\"schemaVersion\":3}", null),
                new Mistake(
                        "PUT",
                        repo + "/manifests/v1",
                        OCI_MANIFEST,
                        "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\"}",
                        null),
                new Mistake(
                        "PUT",
                        repo + "/manifests/v1",
                        OCI_MANIFEST,
                        "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST
                                + "\",\"config\":{\"digest\":\"md5:abc\",\"size\":1},\"layers\":[]}",
                        null),
                new Mistake(
                        "PUT",
                        repo + "/manifests/v1",
                        OCI_MANIFEST,
                        "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"digest\":\""
                                + GOOD_DIGEST + "\",\"size\":1},\"layers\":[]}",
                        null),
                new Mistake("PUT", repo + "/manifests/v1", "text/plain", "{\"schemaVersion\":2}", null),
                new Mistake(
                        "PUT",
                        repo + "/manifests/v1",
                        "application/vnd.docker.distribution.manifest.v1+prettyjws",
                        "{\"schemaVersion\":1,\"fsLayers\":[]}",
                        null),
                new Mistake(
                        "PUT",
                        repo + "/manifests/v1",
                        "application/vnd.oci.image.index.v1+json",
                        "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"manifests\":[]}",
                        null),
                new Mistake("PUT", repo + "/manifests/-bad-tag", OCI_MANIFEST, "{}", null),
                new Mistake("PUT", repo + "/manifests/" + "t".repeat(200), OCI_MANIFEST, "{}", null),
                new Mistake("PUT", repo + "/manifests/sha256:short", OCI_MANIFEST, "{}", null),
                new Mistake(
                        "PUT",
                        repo + "/manifests/v1",
                        OCI_MANIFEST,
                        "{\"pad\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}",
                        null),
                new Mistake("GET", repo + "/manifests/sha256:zz", null, null, null),
                new Mistake("GET", repo + "/manifests/sha999:" + "a".repeat(64), null, null, null),
                new Mistake("GET", repo + "/blobs/sha256:nothex", null, null, null),
                new Mistake("GET", repo + "/blobs/" + GOOD_DIGEST, null, null, "Range: bytes=100-5"),
                new Mistake(
                        "POST", repo + "/blobs/uploads/?digest=sha256:bad", "application/octet-stream", "data", null),
                new Mistake(
                        "POST",
                        repo + "/blobs/uploads/?digest=" + GOOD_DIGEST,
                        "application/octet-stream",
                        "data",
                        null),
                new Mistake("POST", repo + "/blobs/uploads/?mount=notadigest&from=malformed/other", null, null, null),
                new Mistake("PATCH", repo + "/blobs/uploads/not-a-uuid", "application/octet-stream", "data", null),
                new Mistake(
                        "PUT",
                        repo + "/blobs/uploads/00000000-0000-0000-0000-000000000000?digest=" + GOOD_DIGEST,
                        "application/octet-stream",
                        "data",
                        null),
                new Mistake("GET", "/v2/malformed/..%2F..%2Fetc/manifests/v1", null, null, null),
                new Mistake("GET", "/v2/malformed/../../etc/passwd/manifests/v1", null, null, null),
                new Mistake("GET", "/v2/Malformed/Repo/manifests/v1", null, null, null),
                new Mistake("GET", "/v2/malformed//repo/manifests/v1", null, null, null),
                new Mistake("GET", "/v2/malformed/repo/tags/list?n=-5", null, null, null),
                new Mistake("GET", "/v2/malformed/repo/referrers/not-a-digest", null, null, null),
                new Mistake("DELETE", repo + "/manifests/sha256:zz", null, null, null),
                new Mistake("DELETE", repo + "/blobs/" + GOOD_DIGEST, null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aClientMistakeIsA4xxWithAnErrorBodyAndStoresNothing(Mistake mistake) throws IOException {
        Platform platform = Platform.get();
        long blobsBefore = countFiles(platform.dataDir.resolve("blobs").resolve("blobs"));
        RequestSpecification request = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .urlEncodingEnabled(false)
                .header("Authorization", platform.adminBearer("malformed/repo", "malformed/other"));
        if (mistake.contentType() != null) {
            request.contentType(mistake.contentType()).body(mistake.body().getBytes(StandardCharsets.UTF_8));
        }
        if (mistake.header() != null) {
            String[] header = mistake.header().split(": ", 2);
            request.header(header[0], header[1]);
        }
        var response = request.request(mistake.method(), mistake.path());
        int status = response.statusCode();
        assertTrue(status >= 400 && status < 500, mistake + " answered " + status + ": " + response.asString());
        // a literal ../ is resolved by the HTTP server before routing: the request leaves /v2 and meets a plain 404
        boolean leftTheApi = mistake.path().contains("/../") && status == 404;
        if (!leftTheApi) {
            assertTrue(
                    response.asString().contains("\"errors\""), mistake + " has no error body: " + response.asString());
        }
        assertEquals(
                blobsBefore,
                countFiles(platform.dataDir.resolve("blobs").resolve("blobs")),
                mistake + " stored a blob");
        List<String> repositories = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer())
                .get("/v2/_catalog?n=1000")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("repositories", String.class);
        assertTrue(
                repositories.stream().noneMatch(name -> name.startsWith("malformed/")),
                mistake + " created " + repositories);
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
