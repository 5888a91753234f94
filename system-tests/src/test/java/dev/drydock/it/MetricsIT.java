package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: every service exports what an operator watches, in Prometheus' format at
 * {@code /q/metrics}: requests by route and status with their latencies, the outbox's backlog and
 * the age of its oldest event, the front door's forwards under way, free disk, and the event
 * consumer's lag per partition. The front door serves them to this machine only: from another
 * address, however the path is spelled, there is nothing there.
 */
class MetricsIT {

    private static final String REPOSITORY = "metrics/app";

    private final Platform platform = Platform.get();

    @Test
    void everyServiceExportsWhatAnOperatorWatches() throws Exception {
        byte[] blob = new byte[100_000];
        new Random(3).nextBytes(blob);
        String digest = "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        String bearer = platform.adminBearer(REPOSITORY);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType("application/octet-stream")
                .queryParam("digest", digest)
                .body(blob)
                .post("/v2/" + REPOSITORY + "/blobs/uploads/")
                .then()
                .statusCode(201);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .get("/v2/" + REPOSITORY + "/manifests/absent")
                .then()
                .statusCode(404);

        String registry = metrics(platform.registryPort);
        assertTrue(
                registry.contains("http_server_requests_seconds_count{")
                        && registry.contains("status=\"404\"")
                        && registry.contains("uri=\"/v2/{name}/manifests/{reference}\""),
                registry);
        assertTrue(
                registry.contains("uri=\"/v2/{name}/blobs/uploads/{id}\""), "forwarded uploads by route:\n" + registry);
        assertTrue(registry.contains("drydock_proxy_in_flight "), registry);
        assertTrue(registry.contains("drydock_outbox_backlog "), registry);
        assertTrue(registry.contains("drydock_outbox_oldest_age_seconds "), registry);
        assertFalse(registry.contains(digest.substring(7)), "a digest is a label of the front door's metrics");
        assertFalse(registry.contains(REPOSITORY), "a repository is a label of the front door's metrics");

        String layerStore = metrics(platform.layerStorePort);
        assertTrue(layerStore.contains("drydock_storage_free_bytes "), layerStore);
        assertTrue(layerStore.contains("drydock_storage_reserve_bytes "), layerStore);
        assertTrue(layerStore.contains("uri=\"/v2/{name}/blobs/uploads/{id}\""), layerStore);
        assertTrue(layerStore.contains("drydock_outbox_backlog "), layerStore);
        assertFalse(layerStore.contains(digest.substring(7)), "a digest is a label of layer-store's metrics");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String audit = metrics(platform.auditPort);
            assertTrue(
                    audit.contains("drydock_events_lag{partition=\"0\",topic=\"drydock.registry.v1\"}"),
                    "the consumer's lag per partition:\n" + audit);
            assertTrue(audit.contains("kafka_consumer_fetch_manager_records_lag_max{"), audit);
            assertTrue(audit.contains("drydock_events_applied "), audit);
        });
    }

    @Test
    void theFrontDoorServesMetricsToThisMachineOnly() {
        servesMetricsToThisMachineOnly(platform.registryPort);
    }

    /** The portal listens on every address too. */
    @Test
    void thePortalExportsItsRequestsToThisMachineOnly() {
        RestAssured.given()
                .get(platform.portalUrl("/search?q=metrics").toString())
                .then()
                .statusCode(200);
        String portal = metrics(platform.portalPort);
        assertTrue(
                portal.contains("http_server_requests_seconds_count{") && portal.contains("uri=\"/search\""), portal);
        assertTrue(portal.contains("jvm_memory_used_bytes"), portal);
        servesMetricsToThisMachineOnly(platform.portalPort);
    }

    private void servesMetricsToThisMachineOnly(int port) {
        String address = nonLoopbackAddress();
        String base = "http://" + address + ":" + port;
        // reachable from that address: the health check answers there
        assertEquals(200, RestAssured.given().get(base + "/q/health/ready").statusCode());
        for (String path : List.of(
                "/q/metrics",
                "/q/metrics/",
                "/q/metrics?name=x",
                "/q//metrics",
                "/q/./metrics",
                "/q/%6Detrics",
                "/Q/metrics",
                "/q/metrics%2F",
                "/q/metrics/../metrics",
                "/%71/metrics")) {
            Response response = RestAssured.given().urlEncodingEnabled(false).get(base + path);
            assertNotEquals(200, response.statusCode(), path + " served the metrics to another machine");
            assertFalse(response.asString().contains("http_server_requests"), path);
        }
        // absolute-form targets, which Vert.x routes by the first '/' after the authority, '?' or not
        for (String target : List.of("http://h?/q/metrics", "http://h/q/metrics", "HTTP://h:1/q/metrics")) {
            String answer = raw(address, port, target);
            assertFalse(
                    answer.startsWith("HTTP/1.1 200"), target + " served the metrics to another machine:\n" + answer);
            assertFalse(answer.contains("http_server_requests"), target);
        }
        assertEquals(
                200,
                RestAssured.given()
                        .get("http://127.0.0.1:" + port + "/q/metrics")
                        .statusCode());
    }

    /** One request with this exact target, as written; the answer's head and the start of its body. */
    private static String raw(String address, int port, String target) {
        try (Socket socket = new Socket(address, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: " + address + ":" + port
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readNBytes(4096), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String metrics(int port) {
        Response response = RestAssured.given().get("http://127.0.0.1:" + port + "/q/metrics");
        assertEquals(200, response.statusCode());
        return response.asString();
    }

    /** An IPv4 address of this machine that is not loopback: a caller from it is "another machine" to the gate. */
    private static String nonLoopbackAddress() {
        try {
            for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!network.isUp() || network.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(network.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("this machine has no network address but loopback; the test needs one");
    }
}
