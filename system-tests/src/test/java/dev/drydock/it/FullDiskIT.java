package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, finding 5: a full disk. layer-store stores blobs on a 48 MiB tmpfs and keeps 8 MiB of
 * it in reserve; every request goes through the front door. An upload that would eat into the
 * reserve is refused with 507 before a byte is written, and one of unknown length when it reaches
 * the reserve; a chunk that finds the disk full (something else filled it) answers 507 too, and
 * what it wrote is cut off again, so the disk is not left full and the upload resumes from the
 * bytes accepted before. Below the reserve, readiness says uploads are refused while pulls go on.
 * Nothing answers 500, and nothing is logged as an error.
 *
 * <p>The tmpfs is mounted by the test, so it runs as root (as {@code ./drydock test} does on the
 * machines this project is built on); elsewhere it fails saying so.
 */
class FullDiskIT {

    private static final String REPOSITORY = "disk/full";
    private static final int MIB = 1024 * 1024;
    private static final long RESERVE = 8 * MIB;

    private Path mount;
    private Platform platform;
    private String bearer;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "small-disk-");
        Commands.run(mount, "mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString());
        platform = Platform.isolated(
                TestInfra.Kafka.shared(),
                Map.of(
                        "DRYDOCK_LAYER_STORE_STORAGE_DIR", mount.toString(),
                        "DRYDOCK_LAYER_STORE_FREE_SPACE_RESERVE", Long.toString(RESERVE)));
        bearer = platform.adminBearer(REPOSITORY);
    }

    @AfterEach
    void unmount() throws Exception {
        if (platform != null) {
            platform.stop();
        }
        Commands.run(Path.of("target"), "umount", "-l", mount.toString());
    }

    @Test
    void aFullDiskAnswers507KeepsNothingOfTheFailedBodyAndPullsGoOn() throws Exception {
        JsonPath storage = storageHealth();
        assertEquals("accepted", storage.getString("uploads"));
        assertEquals(RESERVE, storage.getLong("reserveBytes"));

        byte[] first = bytes(16 * MIB, 1);
        post("?digest=" + digest(first), first).then().statusCode(201);

        // too big for what is free above the reserve: refused at once, nothing written
        long freeBefore = storageHealth().getLong("freeBytes");
        byte[] tooBig = bytes(30 * MIB, 2);
        Response refused = post("?digest=" + digest(tooBig), tooBig);
        assertInsufficientStorage(refused);
        assertEquals(List.of(), uploadFiles());
        assertEquals(freeBefore, storageHealth().getLong("freeBytes"), MIB, "a refused upload took space");

        // a chunked upload: 8 MiB accepted; then, while a chunk of unknown length streams in,
        // something else fills the disk (a ballast file, as PostgreSQL's data on the same disk
        // would): the chunk's next write finds no space left
        String location = post("", new byte[0]).then().statusCode(202).extract().header("Location");
        byte[] whole = bytes(12 * MIB, 3);
        patch(location, Arrays.copyOfRange(whole, 0, 8 * MIB), "0-" + (8 * MIB - 1))
                .then()
                .statusCode(202)
                .header("Range", "0-" + (8 * MIB - 1));
        Path session = uploadFiles().get(0);
        CountDownLatch diskFull = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> filling = http.sendAsync(
                HttpRequest.newBuilder(URI.create(base() + location))
                        .header("Authorization", bearer)
                        .header("Content-Type", "application/octet-stream")
                        .method(
                                "PATCH",
                                HttpRequest.BodyPublishers.ofInputStream(
                                        () -> new HeldBack(bytes(40 * MIB, 4), 6 * MIB, diskFull)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // (written in 4 MiB blocks where the file system takes O_DIRECT, as tmpfs does on newer kernels)
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(session) >= 12 * MIB);
        Path ballast = mount.resolve("ballast");
        fill(ballast, Long.MAX_VALUE);
        diskFull.countDown();
        HttpResponse<String> filled = filling.get(60, TimeUnit.SECONDS);
        assertEquals(507, filled.statusCode(), filled.body());
        assertEquals("INSUFFICIENT_STORAGE", JsonPath.from(filled.body()).getString("errors[0].code"));
        assertEquals(8 * MIB, Files.size(session), "the failed chunk's bytes were not cut off the session file");
        Files.delete(ballast);
        assertTrue(storageHealth().getLong("freeBytes") > 20 * MIB, "the disk stayed full after the failed chunk");

        // the upload goes on from the bytes accepted before the failure, with the right digest
        RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .get(location)
                .then()
                .statusCode(204)
                .header("Range", "0-" + (8 * MIB - 1));
        patch(location, Arrays.copyOfRange(whole, 8 * MIB, 12 * MIB), (8 * MIB) + "-" + (12 * MIB - 1))
                .then()
                .statusCode(202);
        RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .queryParam("digest", digest(whole))
                .put(location)
                .then()
                .statusCode(201);
        assertArrayEquals(whole, pull(digest(whole)));

        // a single-request upload of unknown length stops at the reserve, and leaves no file behind
        long freeBeforeFlood = storageHealth().getLong("freeBytes");
        byte[] flood = bytes(40 * MIB, 5);
        HttpResponse<String> flooded =
                streamed("POST", "/v2/" + REPOSITORY + "/blobs/uploads/?digest=" + digest(flood), flood);
        assertEquals(507, flooded.statusCode(), flooded.body());
        assertEquals(List.of(), uploadFiles());
        assertEquals(freeBeforeFlood, storageHealth().getLong("freeBytes"), MIB, "the refused upload kept space");

        // something else takes the disk below the reserve: readiness stays UP and says uploads are
        // refused; uploads get 507, pulls go on
        fill(ballast, storageHealth().getLong("freeBytes") - RESERVE / 2);
        storage = storageHealth();
        assertTrue(storage.getLong("freeBytes") < RESERVE, "free: " + storage.getLong("freeBytes"));
        assertTrue(storage.getString("uploads").startsWith("refused"), storage.getString("uploads"));
        assertInsufficientStorage(post("", new byte[0]));
        assertInsufficientStorage(post("?digest=" + digest(bytes(1024, 7)), bytes(1024, 7)));
        assertArrayEquals(first, pull(digest(first)));
        assertArrayEquals(whole, pull(digest(whole)));

        String log = Files.readString(platform.dataDir.resolve("layer-store-" + platform.layerStorePort + ".log"));
        assertFalse(log.contains("ERROR"), "layer-store logged an error:\n" + log);
        assertTrue(log.contains("the blob storage is full"), "the full disk is not in layer-store's log");
    }

    /** Writes up to {@code length} bytes into {@code file}, or until the disk is full. */
    private static void fill(Path file, long length) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (long written = 0; written < length; written += block.length) {
                out.write(block, 0, (int) Math.min(block.length, length - written));
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    /** A body whose bytes after the first {@code first} are held back until {@code release} is counted down. */
    private static final class HeldBack extends InputStream {

        private final ByteArrayInputStream bytes;
        private final int first;
        private final CountDownLatch release;
        private int read;

        HeldBack(byte[] bytes, int first, CountDownLatch release) {
            this.bytes = new ByteArrayInputStream(bytes);
            this.first = first;
            this.release = release;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (read >= first) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            int n = bytes.read(into, offset, read < first ? Math.min(length, first - read) : length);
            read += Math.max(n, 0);
            return n;
        }
    }

    private JsonPath storageHealth() {
        Response ready = RestAssured.given().get("http://127.0.0.1:" + platform.layerStorePort + "/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.asString());
        return JsonPath.from(ready.asString()).setRootPath("checks.find { it.name == 'blob-storage' }.data");
    }

    private static void assertInsufficientStorage(Response response) {
        assertEquals(507, response.statusCode(), response.asString());
        assertEquals("INSUFFICIENT_STORAGE", response.jsonPath().getString("errors[0].code"));
        assertTrue(response.jsonPath().getString("errors[0].message").contains("storage"), response.asString());
    }

    private String base() {
        return "http://" + platform.registry();
    }

    private Response post(String query, byte[] body) {
        return RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .contentType("application/octet-stream")
                .body(body)
                .post("/v2/" + REPOSITORY + "/blobs/uploads/" + query);
    }

    private Response patch(String location, byte[] body, String range) {
        return RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .contentType("application/octet-stream")
                .header("Content-Range", range)
                .body(body)
                .patch(location);
    }

    /** Sends the body without a length (chunked transfer coding), as a client streaming a layer does. */
    private HttpResponse<String> streamed(String method, String pathAndQuery, byte[] body)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(base() + pathAndQuery))
                        .header("Authorization", bearer)
                        .header("Content-Type", "application/octet-stream")
                        .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private byte[] pull(String digest) {
        return RestAssured.given()
                .baseUri(base())
                .header("Authorization", bearer)
                .get("/v2/" + REPOSITORY + "/blobs/" + digest)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
    }

    private List<Path> uploadFiles() throws IOException {
        try (Stream<Path> files = Files.list(mount.resolve("uploads"))) {
            return files.sorted().toList();
        }
    }

    private static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String digest(byte[] bytes) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
