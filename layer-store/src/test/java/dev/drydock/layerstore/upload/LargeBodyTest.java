package dev.drydock.layerstore.upload;

import static dev.drydock.layerstore.TestTokens.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drydock.layerstore.TestTokens;
import dev.drydock.oci.Digest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Bodies of a megabyte and more: gathered into blocks written past the page cache, with the last
 * partial block, odd offsets, streamed bodies, bodies cut off and more large bodies at once than
 * there are blocks for. Each time the stored blob must be exactly the bytes sent.
 */
@QuarkusTest
class LargeBodyTest {

    private static final int MIB = 1 << 20;
    private static final int BLOCK = dev.drydock.layerstore.storage.UploadAppender.BLOCK;

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }

    private static void assertStored(String repository, byte[] blob) {
        byte[] read = given().get("/v2/" + repository + "/blobs/" + Digest.sha256Of(blob))
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        assertArrayEquals(blob, read, "the stored blob is the bytes sent");
        String hex = Digest.sha256Of(blob).hex();
        java.nio.file.Path file =
                java.nio.file.Path.of("target", "test-storage", "blobs", "sha256", hex.substring(0, 2), hex);
        assertEquals(
                blob.length, assertDoesNotThrow(() -> java.nio.file.Files.size(file)), "the file holds nothing more");
    }

    @Test
    void chunksOfBlocksAnOddTailAndAnOddOffsetAreStoredExactly() {
        byte[] blob = randomBytes(2 * BLOCK + MIB + 17_445);
        String location = given().post("/v2/acme/large/blobs/uploads/")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        int first = 2 * BLOCK + 100; // two whole blocks and a tail smaller than a disk block
        given().header("Content-Range", "0-" + (first - 1))
                .contentType("application/octet-stream")
                .body(Arrays.copyOfRange(blob, 0, first))
                .patch(location)
                .then()
                .statusCode(202)
                .header("Range", "0-" + (first - 1));
        int second = first + MIB + 5_000; // starts at an offset no disk block starts at
        given().header("Content-Range", first + "-" + (second - 1))
                .contentType("application/octet-stream")
                .body(Arrays.copyOfRange(blob, first, second))
                .patch(location)
                .then()
                .statusCode(202)
                .header("Range", "0-" + (second - 1));
        given().contentType("application/octet-stream")
                .body(Arrays.copyOfRange(blob, second, blob.length))
                .queryParam("digest", Digest.sha256Of(blob).toString())
                .put(location)
                .then()
                .statusCode(201);
        assertStored("acme/large", blob);
    }

    @Test
    void aStreamedBodyOfUnknownLengthIsStoredExactly() {
        byte[] blob = randomBytes(2 * BLOCK + 777);
        // an InputStream body goes out with chunked transfer encoding: no Content-Length
        given().contentType("application/octet-stream")
                .body(new ByteArrayInputStream(blob))
                .queryParam("digest", Digest.sha256Of(blob).toString())
                .post("/v2/acme/streamed/blobs/uploads/")
                .then()
                .statusCode(201);
        assertStored("acme/streamed", blob);
    }

    @Test
    void aBodyCutOffHalfWayCountsForNothingAndTheUploadResumes() throws Exception {
        byte[] blob = randomBytes(BLOCK + 3 * MIB);
        String location = given().post("/v2/acme/cutoff/blobs/uploads/")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                                    + "Authorization: " + TestTokens.authorization() + "\r\n"
                                    + "Content-Length: " + blob.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.write(blob, 0, BLOCK + MIB + 1234); // then the connection drops
            out.flush();
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(
                        () -> given().get(location).then().statusCode(204).header("Range", "0-0"));
        // a different body this time: what the cut-off one left in the file must not survive
        byte[] other = randomBytes(MIB + 10);
        given().contentType("application/octet-stream")
                .body(other)
                .patch(location)
                .then()
                .statusCode(202)
                .header("Range", "0-" + (other.length - 1));
        given().queryParam("digest", Digest.sha256Of(other).toString())
                .put(location)
                .then()
                .statusCode(201);
        assertStored("acme/cutoff", other);
    }

    @Test
    void moreLargeBodiesAtOnceThanThereAreBlocksForAreAllStored() {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // whole blocks only (the last thing handed over is a block), or a block and a tail
            blobs.add(randomBytes(i % 3 == 0 ? BLOCK : BLOCK + 4096 * i + i));
        }
        ExecutorService clients = Executors.newFixedThreadPool(12);
        try {
            List<CompletableFuture<Void>> uploads = blobs.stream()
                    .map(blob -> CompletableFuture.runAsync(
                            () -> given().contentType("application/octet-stream")
                                    .body(blob)
                                    .queryParam("digest", Digest.sha256Of(blob).toString())
                                    .post("/v2/acme/many/blobs/uploads/")
                                    .then()
                                    .log()
                                    .ifValidationFails()
                                    .statusCode(201),
                            clients))
                    .toList();
            CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).join();
        } finally {
            clients.shutdown();
        }
        blobs.forEach(blob -> assertStored("acme/many", blob));
    }
}
