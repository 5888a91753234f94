package dev.drydock.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: readers that take a blob slowly. Sixteen clients ask for a 32 MiB layer through the
 * front door, take its first 256 KiB and then stop reading for 15 s, their sockets open. Meanwhile
 * other clients push and pull as usual, and neither the front door nor layer-store holds the
 * stalled bytes in memory (back-pressure stops the reading from disk instead: sixteen buffered
 * copies would be 512 MiB). Then the slow readers go on and each gets the whole layer, intact.
 */
class SlowReadersIT {

    private static final int READERS = 16;
    private static final int SIZE = 32 * 1024 * 1024;

    private final Platform platform = Platform.get();

    @Test
    void stalledReadersHoldNoMemoryBlockNobodyAndGetTheWholeLayerWhenTheyGoOn() throws Exception {
        String repository = "slow/readers" + UUID.randomUUID().toString().substring(0, 6);
        String bearer = platform.adminBearer(repository);
        byte[] layer = new byte[SIZE];
        new Random(17).nextBytes(layer);
        String digest = upload(repository, bearer, layer);
        long registryBefore = rssMiB(platform.pid("registry-api"));
        long layerStoreBefore = rssMiB(platform.pid("layer-store"));

        List<Socket> readers = new ArrayList<>();
        List<byte[]> heads = new ArrayList<>();
        try {
            for (int i = 0; i < READERS; i++) {
                Socket socket = new Socket("127.0.0.1", platform.registryPort);
                socket.setReceiveBufferSize(64 * 1024);
                readers.add(socket);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /v2/" + repository + "/blobs/" + digest + " HTTP/1.1\r\nHost: " + platform.registry()
                                + "\r\nAuthorization: " + bearer + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                heads.add(socket.getInputStream().readNBytes(256 * 1024));
            }
            Platform.sleep(3000); // whatever would be buffered is buffered by now
            for (int round = 0; round < 4; round++) {
                byte[] other = ("not blocked " + round + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
                String otherDigest = upload(repository, bearer, other);
                byte[] pulled = RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .header("Authorization", bearer)
                        .get("/v2/" + repository + "/blobs/" + otherDigest)
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray();
                assertArrayEquals(other, pulled);
                Platform.sleep(2500);
            }
            long registryGrowth = rssMiB(platform.pid("registry-api")) - registryBefore;
            long layerStoreGrowth = rssMiB(platform.pid("layer-store")) - layerStoreBefore;
            System.out.printf(
                    "SlowReadersIT: %d readers stalled on %d MiB each; resident memory grew by %d MiB (registry-api),"
                            + " %d MiB (layer-store)%n",
                    READERS, SIZE >> 20, registryGrowth, layerStoreGrowth);
            assertTrue(registryGrowth < 128, "the front door holds stalled bytes: +" + registryGrowth + " MiB");
            assertTrue(layerStoreGrowth < 128, "layer-store holds stalled bytes: +" + layerStoreGrowth + " MiB");

            String expected = sha256(layer);
            for (int i = 0; i < READERS; i++) {
                byte[] response =
                        concat(heads.get(i), readers.get(i).getInputStream().readAllBytes());
                int bodyStart = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
                String head = new String(response, 0, bodyStart, StandardCharsets.US_ASCII);
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                assertEquals(SIZE, response.length - bodyStart, "reader " + i + " got the whole layer");
                assertEquals(expected, sha256(Arrays.copyOfRange(response, bodyStart, response.length)), "reader " + i);
            }
        } finally {
            for (Socket socket : readers) {
                socket.close();
            }
        }
    }

    private String upload(String repository, String bearer, byte[] blob) {
        String digest = sha256(blob);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType("application/octet-stream")
                .queryParam("digest", digest)
                .body(blob)
                .post("/v2/" + repository + "/blobs/uploads/")
                .then()
                .statusCode(201);
        return digest;
    }

    private static long rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i <= bytes.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no end of the header");
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
