package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tag's history from the event log, and restoring the tag to an earlier digest. */
class TagHistoryIT {

    @TempDir
    static Path work;

    private static String push(Platform platform, String architecture) {
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve(architecture));
        writer.tag("v1", writer.image(architecture, 1, 3_000));
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + writer.path() + ":v1",
                "docker://" + platform.registry() + "/acme/history:latest");
        return OciImages.manifestDigest(writer.path(), "v1");
    }

    @Test
    void aMovedTagShowsItsPastAndCanBeRestored() {
        Platform platform = Platform.get();
        String first = push(platform, "amd64");
        String second = push(platform, "arm64");
        var frontDoor = RestAssured.given().baseUri("http://" + platform.registry());

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .get("/api/v1/repositories/acme/history/tags/latest/history")
                        .then()
                        .statusCode(200)
                        .body("change", equalTo(List.of("moved", "created")))
                        .body("digest", equalTo(List.of(second, first)))
                        .body("[0].previousDigest", equalTo(first))
                        .body("[0].changedBy", equalTo("admin")));

        frontDoor
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(Map.of("digest", first))
                .put("/api/v1/repositories/acme/history/tags/latest")
                .then()
                .statusCode(204);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer("acme/history"))
                .accept("application/vnd.oci.image.manifest.v1+json")
                .get("/v2/acme/history/manifests/latest")
                .then()
                .statusCode(200)
                .header("Docker-Content-Digest", first);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .get("/api/v1/repositories/acme/history/tags/latest/history")
                        .then()
                        .statusCode(200)
                        .body("digest", equalTo(List.of(first, second, first))));
        // not for those who may not push, and only to manifests the repository has
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .contentType("application/json")
                .body(Map.of("digest", second))
                .put("/api/v1/repositories/acme/history/tags/latest")
                .then()
                .statusCode(401);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(Map.of("digest", "sha256:" + "5".repeat(64)))
                .put("/api/v1/repositories/acme/history/tags/latest")
                .then()
                .statusCode(404);
    }
}
