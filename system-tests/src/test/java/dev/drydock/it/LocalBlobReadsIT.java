package dev.drydock.it;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default front door ({@code local} blob reads, as {@code ./drydock up} runs it) sends blob
 * files from the store itself once layer-store confirms each read, counted by its metrics; every
 * read layer-store does not confirm, or whose file is gone, is answered as layer-store answers it.
 */
class LocalBlobReadsIT {

    private static final Pattern SERVED = Pattern.compile("drydock_blob_reads_total\\{served=\"(\\w+)\"[^}]*} (\\d+)");
    private static final String REPOSITORY = "acme/local-reads";

    private static Platform platform;
    private static Path image;
    private static List<String> blobs;

    @TempDir
    static Path work;

    @BeforeAll
    static void push() {
        platform = Platform.get();
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("image"));
        image = writer.tag("v1", writer.image("amd64", 2, 300_000)).path();
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + image + ":v1",
                "docker://" + platform.registry() + "/" + REPOSITORY + ":v1");
        blobs = OciImages.blobDigests(image, OciImages.manifestDigest(image, "v1"));
    }

    /** The front door's count of blob GETs sent from the store ({@code store}) or through layer-store ({@code proxy}). */
    private static long served(String how) {
        String metrics = RestAssured.given()
                .get("http://" + platform.registry() + "/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = SERVED.matcher(metrics);
        while (m.find()) {
            if (m.group(1).equals(how)) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("no drydock_blob_reads_total{served=\"" + how + "\"} in the front door's metrics");
    }

    private static io.restassured.specification.RequestSpecification asAdmin() {
        return RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer(REPOSITORY));
    }

    @Test
    void skopeoPullsEveryBlobFromTheStoreAndGetsTheSameImage() throws Exception {
        long before = served("store");
        Path pulled = work.resolve("pulled");
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "--src-creds",
                platform.adminCreds(),
                "docker://" + platform.registry() + "/" + REPOSITORY + ":v1",
                "oci:" + pulled + ":v1");
        OciImages.assertSameImage(image, pulled, "v1");
        // other tests share the platform and may read blobs meanwhile: at least this pull's
        assertTrue(
                served("store") - before >= blobs.size(),
                "blob GETs sent from the store: " + (served("store") - before));
    }

    @Test
    void aRangeIsSentFromTheStoreWithLayerStoresStatusAndHeaders() throws Exception {
        String layer = blobs.get(1);
        byte[] whole = Files.readAllBytes(OciImages.blobPath(image, layer));
        long before = served("store");
        byte[] part = asAdmin()
                .header("Range", "bytes=1000-1999")
                .get("/v2/" + REPOSITORY + "/blobs/" + layer)
                .then()
                .statusCode(206)
                .header("Content-Range", "bytes 1000-1999/" + whole.length)
                .header("Content-Length", "1000")
                .header("Docker-Content-Digest", layer)
                .extract()
                .asByteArray();
        assertArrayEquals(Arrays.copyOfRange(whole, 1000, 2000), part);
        byte[] tail = asAdmin()
                .header("Range", "bytes=" + (whole.length - 10) + "-")
                .get("/v2/" + REPOSITORY + "/blobs/" + layer)
                .then()
                .statusCode(206)
                .extract()
                .asByteArray();
        assertArrayEquals(Arrays.copyOfRange(whole, whole.length - 10, whole.length), tail);
        assertTrue(served("store") - before >= 2);

        asAdmin()
                .header("Range", "bytes=" + whole.length + "-")
                .get("/v2/" + REPOSITORY + "/blobs/" + layer)
                .then()
                .statusCode(416)
                .header("Content-Range", "bytes */" + whole.length)
                .body("errors[0].code", equalTo("RANGE_INVALID"));
    }

    @Test
    void whatLayerStoreDoesNotConfirmIsAnsweredAsLayerStoreAnswersIt() {
        long before = served("proxy");
        // a blob this repository does not link, though the store holds it for another
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + image + ":v1",
                "docker://" + platform.registry() + "/acme/local-reads-other:v1");
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer("acme/local-reads-unlinked"))
                .get("/v2/acme/local-reads-unlinked/blobs/" + blobs.get(1))
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));
        // anonymous: refused before anything is read
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .get("/v2/" + REPOSITORY + "/blobs/" + blobs.get(1))
                .then()
                .statusCode(401);
        assertTrue(served("proxy") - before >= 1);
    }

    @Test
    void aLinkedBlobWhoseFileIsGoneIsNotFoundRatherThanBroken() throws Exception {
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("doomed"));
        Path doomed = writer.tag("v1", writer.image("arm64", 1, 50_000)).path();
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + doomed + ":v1",
                "docker://" + platform.registry() + "/acme/local-reads-doomed:v1");
        String layer = OciImages.blobDigests(doomed, OciImages.manifestDigest(doomed, "v1"))
                .get(1);
        Files.delete(platform.blobFile(layer)); // as if collected between layer-store's check and the read
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer("acme/local-reads-doomed"))
                .get("/v2/acme/local-reads-doomed/blobs/" + layer)
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));
    }

    /**
     * Blob GETs that carry a body, or announce one that never comes, must not leave layer-store's
     * connections expecting bytes: the confirming HEAD carries no body headers (an attacker had
     * smuggled requests into layer-store that way and had another user's private blob sent), and
     * such GETs are forwarded whole by the proxy. Every read afterwards answers, and answers right.
     */
    @Test
    void getsWithBodiesLeaveNoConnectionToLayerStoreOutOfStep() throws Exception {
        String layer = blobs.get(1);
        byte[] whole = Files.readAllBytes(OciImages.blobPath(image, layer));
        String bearer = platform.adminBearer(REPOSITORY);
        String request = "GET /v2/" + REPOSITORY + "/blobs/" + layer + " HTTP/1.1\r\nHost: " + platform.registry()
                + "\r\nAuthorization: " + bearer + "\r\n";
        for (int i = 0; i < 8; i++) {
            try (Socket socket = new Socket("127.0.0.1", platform.registryPort)) {
                socket.setSoTimeout(15_000);
                String body = "GET /q/metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(30);
                socket.getOutputStream()
                        .write((request + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                                .getBytes(StandardCharsets.US_ASCII));
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 200", status, "a blob GET with a body");
            }
        }
        for (int i = 0; i < 8; i++) {
            try (Socket socket = new Socket("127.0.0.1", platform.registryPort)) {
                socket.getOutputStream()
                        .write((request + "Content-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(100);
            }
        }
        RestAssuredConfig patient = RestAssuredConfig.config()
                .httpClient(HttpClientConfig.httpClientConfig()
                        .setParam("http.connection.timeout", 5_000)
                        .setParam("http.socket.timeout", 15_000));
        for (int i = 0; i < 40; i++) {
            byte[] read = asAdmin()
                    .config(patient)
                    .get("/v2/" + REPOSITORY + "/blobs/" + layer)
                    .then()
                    .statusCode(200)
                    .header("Docker-Content-Digest", layer)
                    .extract()
                    .asByteArray();
            assertArrayEquals(whole, read, "read " + i + " after the GETs with bodies");
        }
    }
}
