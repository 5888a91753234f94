package dev.drydock.it;

import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Pulls by real clients are counted exactly, stars once per user, and search finds the image. */
class PullsStarsSearchIT {

    private static Platform platform;
    private static final String REPOSITORY = "acme/popular" + UUID.randomUUID().toString().substring(0, 6);

    @TempDir
    static Path work;

    @BeforeAll
    static void pushAMultiPlatformImage() {
        platform = Platform.get();
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("image"));
        Map<String, OciLayoutWriter.Descriptor> images = new LinkedHashMap<>();
        images.put("amd64", writer.image("amd64", 1, 10_000));
        images.put("arm64", writer.image("arm64", 1, 10_000));
        writer.tag("v1", writer.index(images));
        Commands.run(work, "skopeo", "copy", "--all", "--dest-tls-verify=false", "--dest-creds", platform.adminCreds(),
                "oci:" + writer.path() + ":v1", "docker://" + platform.registry() + "/" + REPOSITORY + ":v1");
    }

    private static io.restassured.specification.RequestSpecification frontDoor() {
        return RestAssured.given().baseUri("http://" + platform.registry());
    }

    @Test
    void pullingOnePlatformOfAnIndexByTagCountsOnePullAndStarsCountOncePerUser() {
        Commands.run(work, "skopeo", "copy", "--src-tls-verify=false", "--override-arch", "arm64",
                "docker://" + platform.registry() + "/" + REPOSITORY + ":v1", "oci:" + work.resolve("pulled") + ":v1");

        String user = "fan" + UUID.randomUUID().toString().substring(0, 6);
        frontDoor().contentType("application/json").body(Map.of("username", user, "password", "star-gazer-1"))
                .post("/api/v1/users").then().statusCode(201);
        frontDoor().auth().preemptive().basic(user, "star-gazer-1").put("/api/v1/repositories/" + REPOSITORY + "/star")
                .then().statusCode(204);
        frontDoor().auth().preemptive().basic(user, "star-gazer-1").put("/api/v1/repositories/" + REPOSITORY + "/star")
                .then().statusCode(204);
        frontDoor().put("/api/v1/repositories/" + REPOSITORY + "/star").then().statusCode(401);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                frontDoor().get("/api/v1/repositories/" + REPOSITORY + "/pulls").then().statusCode(200)
                        .body("total", equalTo(1)).body("byReference.v1", equalTo(1)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                frontDoor().get("/api/v1/repositories").then().statusCode(200)
                        .body("find { it.name == '" + REPOSITORY + "' }.stars", equalTo(1)));
    }

    @Test
    void searchFindsTheRepositoryByNameFirst() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                frontDoor().queryParam("q", REPOSITORY).get("/api/v1/search").then().statusCode(200)
                        .body("[0].name", equalTo(REPOSITORY)));
    }

    @Test
    void theIndexsPlatformsAreShownAndSearchable() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                frontDoor().get("/api/v1/repositories/" + REPOSITORY).then().statusCode(200)
                        .body("tags.find { it.name == 'v1' }.platforms",
                                org.hamcrest.Matchers.containsInAnyOrder("linux/amd64", "linux/arm64")));
        frontDoor().queryParam("q", REPOSITORY).queryParam("platform", "linux/arm64").get("/api/v1/search").then()
                .statusCode(200).body("name", org.hamcrest.Matchers.hasItem(REPOSITORY));
        frontDoor().queryParam("q", REPOSITORY).queryParam("platform", "linux/s390x").get("/api/v1/search").then()
                .statusCode(200).body("name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(REPOSITORY)));
    }
}
