package dev.drydock.it;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster's routing (DESIGN.md, "One front door"): nginx, configured from
 * deploy/ingress/drydock-nginx.conf.template, sends blob uploads straight to layer-store and
 * everything else to registry-api; skopeo pushes, mounts and pulls through it.
 */
class ClusterRoutingIT {

    private static Platform platform;
    private static Process nginx;
    private static String ingress;
    private static Path accessLog;
    private static Path image;

    @TempDir
    static Path work;

    @BeforeAll
    static void startTheIngressAndPushThroughIt() throws Exception {
        platform = Platform.get();
        int port = Ports.free();
        ingress = "127.0.0.1:" + port;
        String site = Files.readString(Path.of("..", "deploy", "ingress", "drydock-nginx.conf.template"))
                .replace("${LISTEN}", ingress)
                .replace("${REGISTRY_API}", platform.registry())
                .replace("${LAYER_STORE}", "127.0.0.1:" + platform.layerStorePort);
        Files.writeString(work.resolve("drydock.conf"), site);
        accessLog = work.resolve("access.log");
        // what a distribution's nginx.conf gives the snippet, and a log of where each request went
        Files.writeString(
                work.resolve("nginx.conf"),
                String.join(
                        "\n",
                        "pid " + work.resolve("nginx.pid") + ";",
                        "error_log " + work.resolve("error.log") + ";",
                        "events { worker_connections 256; }",
                        "http {",
                        "  log_format routed '$request_method $uri $upstream_addr $status';",
                        "  access_log " + accessLog + " routed;",
                        "  include " + work.resolve("drydock.conf") + ";",
                        "}",
                        ""));
        Files.createDirectories(work.resolve("nginx-temp"));
        String nginxBinary = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        nginx = new ProcessBuilder(
                        nginxBinary,
                        "-p",
                        work.resolve("nginx-temp").toString(),
                        "-c",
                        work.resolve("nginx.conf").toString(),
                        "-g",
                        "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("nginx.out").toFile())
                .start();
        awaitListening(port);

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
                "docker://" + ingress + "/acme/routed:v1");
    }

    @AfterAll
    static void stopTheIngress() {
        if (nginx != null) {
            nginx.destroy();
        }
    }

    private static void awaitListening(int port) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!nginx.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new AssertionError("nginx did not start: " + Files.readString(work.resolve("nginx.out"))
                            + (Files.exists(work.resolve("error.log"))
                                    ? Files.readString(work.resolve("error.log"))
                                    : ""));
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void theLayersWentStraightToLayerStoreAndPullBackIdentical() throws Exception {
        List<String> uploads = Files.readAllLines(accessLog).stream()
                .filter(line -> line.contains("/blobs/uploads"))
                .toList();
        assertTrue(uploads.stream().anyMatch(line -> line.startsWith("PUT ")), "no upload went through: " + uploads);
        String layerStore = "127.0.0.1:" + platform.layerStorePort;
        assertTrue(
                uploads.stream().allMatch(line -> line.contains(" " + layerStore + " ")),
                "uploads not sent to layer-store: " + uploads);
        assertTrue(
                Files.readAllLines(accessLog).stream()
                        .filter(line -> line.contains("/manifests/"))
                        .allMatch(line -> line.contains(" " + platform.registry() + " ")),
                "manifests not sent to registry-api");

        Path pulled = work.resolve("pulled");
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "--src-creds",
                platform.adminCreds(),
                "docker://" + ingress + "/acme/routed:v1",
                "oci:" + pulled + ":v1");
        OciImages.assertSameImage(image, pulled, "v1");
    }

    @Test
    void aCopyToAnotherRepositoryMountsItsLayersAtLayerStore() throws Exception {
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                "--src-creds",
                platform.adminCreds(),
                "--dest-creds",
                platform.adminCreds(),
                "docker://" + ingress + "/acme/routed:v1",
                "docker://" + ingress + "/other/routed:v1");
        List<String> mounts = Files.readAllLines(accessLog).stream()
                .filter(line -> line.startsWith("POST /v2/other/routed/blobs/uploads/"))
                .toList();
        assertTrue(
                mounts.stream().filter(line -> line.endsWith(" 201")).count() >= 2,
                "the two layers were not mounted: " + mounts);
        assertEquals(
                OciImages.manifestDigest(image, "v1"),
                RestAssured.given()
                        .baseUri("http://" + ingress)
                        .header("Authorization", platform.adminBearer("other/routed"))
                        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                        .head("/v2/other/routed/manifests/v1")
                        .then()
                        .statusCode(200)
                        .extract()
                        .header("Docker-Content-Digest"));
    }

    /** layer-store answers for itself here, with the challenge that sends clients to the front door's /token. */
    @Test
    void anUploadWithoutTheRightTokenIsChallengedTowardsTheIngresssTokenEndpoint() {
        String realm = "Bearer realm=\"http://" + ingress + "/token\",service=\"drydock\"";
        RestAssured.given()
                .baseUri("http://" + ingress)
                .post("/v2/acme/routed/blobs/uploads/")
                .then()
                .statusCode(401)
                .body("errors[0].code", equalTo("UNAUTHORIZED"))
                .header("WWW-Authenticate", equalTo(realm + ",scope=\"repository:acme/routed:pull,push\""));
        String pullOnly = "Bearer "
                + RestAssured.given()
                        .baseUri("http://" + ingress)
                        .auth()
                        .preemptive()
                        .basic(Platform.ADMIN, platform.adminPassword)
                        .queryParam("scope", "repository:acme/routed:pull")
                        .get("/token")
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("token");
        RestAssured.given()
                .baseUri("http://" + ingress)
                .header("Authorization", pullOnly)
                .post("/v2/acme/routed/blobs/uploads/")
                .then()
                .statusCode(401)
                .header(
                        "WWW-Authenticate",
                        equalTo(realm + ",scope=\"repository:acme/routed:pull,push\",error=\"insufficient_scope\""));
        RestAssured.given()
                .baseUri("http://" + ingress)
                .header("Authorization", "Bearer not-a-token")
                .post("/v2/acme/routed/blobs/uploads/")
                .then()
                .statusCode(401)
                .header(
                        "WWW-Authenticate",
                        equalTo(realm + ",scope=\"repository:acme/routed:pull,push\",error=\"invalid_token\""));
        // behind a proxy that says where the client came in (as registry-api's does), that address;
        // cancelling an upload is part of pushing, so the challenge asks for pull,push
        RestAssured.given()
                .baseUri("http://127.0.0.1:" + platform.layerStorePort)
                .header("X-Forwarded-Host", "registry.example:5000")
                .header("X-Forwarded-Proto", "https")
                .delete("/v2/acme/routed/blobs/uploads/some-session")
                .then()
                .statusCode(401)
                .header(
                        "WWW-Authenticate",
                        equalTo("Bearer realm=\"https://registry.example:5000/token\",service=\"drydock\","
                                + "scope=\"repository:acme/routed:pull,push\""));
    }
}
