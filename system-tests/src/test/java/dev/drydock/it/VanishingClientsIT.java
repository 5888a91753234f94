package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, finding 4: clients that vanish in the middle of an upload or a blob download must not
 * take the front door's connections to layer-store with them. 500 uploads stop halfway through
 * their body (half closing cleanly, half with a reset) and 100 downloads are abandoned after their
 * first bytes; afterwards no forwarded request is left under way, and an image pushes and pulls as
 * usual. Before the fix, about 128 vanished uploads left every blob request timing out.
 */
class VanishingClientsIT {

    private static final String REPOSITORY = "vanish/app";
    private static final int UPLOADS = 500;
    private static final int DOWNLOADS = 100;

    @TempDir
    Path work;

    @Test
    void fiveHundredVanishedUploadsLeaveTheFrontDoorServingPushesAndPulls() throws Exception {
        // the relay (proxy mode: a front door without layer-store's disk, as in a cluster), whose
        // connections to layer-store the vanished clients must give back
        Platform platform = Platform.isolated(TestInfra.Kafka.shared(), Map.of("DRYDOCK_REGISTRY_BLOB_READS", "proxy"));
        try {
            String bearer = platform.adminBearer(REPOSITORY);
            byte[] blob = new byte[4 * 1024 * 1024];
            new Random(7).nextBytes(blob);
            String digest = "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .contentType("application/octet-stream")
                    .queryParam("digest", digest)
                    .body(blob)
                    .post("/v2/" + REPOSITORY + "/blobs/uploads/")
                    .then()
                    .statusCode(201);

            ExecutorService clients = Executors.newFixedThreadPool(50);
            try {
                List<Future<?>> all = new ArrayList<>();
                for (int i = 0; i < UPLOADS; i++) {
                    boolean reset = i % 2 == 0;
                    all.add(clients.submit(() -> {
                        vanishMidUpload(platform, bearer, reset);
                        return null;
                    }));
                }
                for (int i = 0; i < DOWNLOADS; i++) {
                    all.add(clients.submit(() -> {
                        vanishMidDownload(platform, bearer, digest);
                        return null;
                    }));
                }
                for (Future<?> client : all) {
                    client.get(2, TimeUnit.MINUTES);
                }
            } finally {
                clients.shutdownNow();
            }

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertEquals(
                            0,
                            RestAssured.given()
                                    .get("http://" + platform.registry() + "/q/health/ready")
                                    .jsonPath()
                                    .getInt("checks.find { it.name == 'front-door-proxy' }.data.inFlight"),
                            "forwarded requests of vanished clients still under way"));

            // and the platform serves as before: a push by a real client, a pull of the blob
            long start = System.nanoTime();
            OciLayoutWriter writer = new OciLayoutWriter(work.resolve("after"));
            writer.tag("v1", writer.image("amd64", 2, 200_000));
            Commands.run(
                    work,
                    "skopeo",
                    "copy",
                    "--dest-tls-verify=false",
                    "--dest-creds",
                    platform.adminCreds(),
                    "oci:" + writer.path() + ":v1",
                    "docker://" + platform.registry() + "/" + REPOSITORY + ":after");
            byte[] read = RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .get("/v2/" + REPOSITORY + "/blobs/" + digest)
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            assertEquals(blob.length, read.length);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(
                    seconds < 20,
                    "the push and pull after the vanished clients took " + seconds + " s (a pool"
                            + " exhausted by them makes each forwarded request wait for its 5 s connect limit)");
        } finally {
            platform.stop();
        }
    }

    /** Opens an upload, sends half of a 1 MiB PATCH body, and goes: closing the socket, or resetting it. */
    private static void vanishMidUpload(Platform platform, String bearer, boolean reset) throws Exception {
        String location = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .post("/v2/" + REPOSITORY + "/blobs/uploads/")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        String path = URI.create(location).isAbsolute() ? URI.create(location).getRawPath() : location;
        try (Socket socket = new Socket("127.0.0.1", platform.registryPort)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: " + platform.registry() + "\r\nAuthorization: " + bearer
                            + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[512 * 1024]);
            out.flush();
            Thread.sleep(20);
            if (reset) {
                socket.setSoLinger(true, 0); // close() now sends a TCP reset
            }
        }
    }

    /** Asks for the blob, reads its first bytes, and goes. */
    private static void vanishMidDownload(Platform platform, String bearer, String digest) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", platform.registryPort)) {
            socket.setReceiveBufferSize(4096);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v2/" + REPOSITORY + "/blobs/" + digest + " HTTP/1.1\r\nHost: " + platform.registry()
                            + "\r\nAuthorization: " + bearer + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            in.readNBytes(16 * 1024);
            socket.setSoLinger(true, 0);
        }
    }
}
