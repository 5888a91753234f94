package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls by real clients are counted exactly, stars once per user, and search finds the image. */
class PullsStarsSearchIT {

    private static Platform platform;
    private static final String REPOSITORY =
            "acme/popular" + UUID.randomUUID().toString().substring(0, 6);

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
        pushTheImageTo(REPOSITORY);
    }

    /** The multi-platform image, every platform of it, as {@code repository:v1} (skopeo, as the admin). */
    private static void pushTheImageTo(String repository) {
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--all",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + work.resolve("image") + ":v1",
                "docker://" + platform.registry() + "/" + repository + ":v1");
    }

    private static io.restassured.specification.RequestSpecification frontDoor() {
        return RestAssured.given().baseUri("http://" + platform.registry());
    }

    @Test
    void pullingOnePlatformOfAnIndexByTagCountsOnePullAndStarsCountOncePerUser() {
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "--override-arch",
                "arm64",
                "docker://" + platform.registry() + "/" + REPOSITORY + ":v1",
                "oci:" + work.resolve("pulled") + ":v1");

        String user = "fan" + UUID.randomUUID().toString().substring(0, 6);
        frontDoor()
                .contentType("application/json")
                .body(Map.of("username", user, "password", "star-gazer-1"))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        frontDoor()
                .auth()
                .preemptive()
                .basic(user, "star-gazer-1")
                .put("/api/v1/repositories/" + REPOSITORY + "/star")
                .then()
                .statusCode(204);
        frontDoor()
                .auth()
                .preemptive()
                .basic(user, "star-gazer-1")
                .put("/api/v1/repositories/" + REPOSITORY + "/star")
                .then()
                .statusCode(204);
        frontDoor().put("/api/v1/repositories/" + REPOSITORY + "/star").then().statusCode(401);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> frontDoor()
                        .get("/api/v1/repositories/" + REPOSITORY + "/pulls")
                        .then()
                        .statusCode(200)
                        .body("total", equalTo(1))
                        .body("byReference.v1", equalTo(1)));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> frontDoor()
                        .get("/api/v1/repositories")
                        .then()
                        .statusCode(200)
                        .body("find { it.name == '" + REPOSITORY + "' }.stars", equalTo(1)));
    }

    /**
     * Repeated pulls of one tag are answered from the front door's cache after the first (on the
     * event loop, before the REST layer): each one still counts, HEADs do not, and a client
     * without access to the repository reads nothing, cached or not.
     */
    @Test
    void everyPullOfACachedManifestCountsOnce() {
        String repository = "acme/cached" + UUID.randomUUID().toString().substring(0, 6);
        pushTheImageTo(repository);
        String bearer = platform.adminBearer(repository);
        String index = "application/vnd.oci.image.index.v1+json";
        for (int i = 0; i < 5; i++) {
            frontDoor()
                    .header("Authorization", bearer)
                    .header("Accept", index)
                    .get("/v2/" + repository + "/manifests/v1")
                    .then()
                    .statusCode(200)
                    .header("Content-Type", index);
            frontDoor()
                    .header("Authorization", bearer)
                    .header("Accept", index)
                    .head("/v2/" + repository + "/manifests/v1")
                    .then()
                    .statusCode(200);
        }
        frontDoor()
                .header("Authorization", platform.adminBearer("acme/elsewhere"))
                .get("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(401);
        frontDoor().get("/v2/" + repository + "/manifests/v1").then().statusCode(401);

        // and stays there: a pull counted twice would come later than the first count
        await().atMost(Duration.ofSeconds(15))
                .during(Duration.ofSeconds(3))
                .untilAsserted(() -> frontDoor()
                        .get("/api/v1/repositories/" + repository + "/pulls")
                        .then()
                        .statusCode(200)
                        .body("total", equalTo(5))
                        .body("byReference.v1", equalTo(5)));
    }

    @Test
    void searchFindsTheRepositoryByNameFirst() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> frontDoor()
                        .queryParam("q", REPOSITORY)
                        .get("/api/v1/search")
                        .then()
                        .statusCode(200)
                        .body("[0].name", equalTo(REPOSITORY)));
    }

    @Test
    void theIndexsPlatformsAreShownAndSearchable() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> frontDoor()
                        .get("/api/v1/repositories/" + REPOSITORY)
                        .then()
                        .statusCode(200)
                        .body(
                                "tags.find { it.name == 'v1' }.platforms",
                                org.hamcrest.Matchers.containsInAnyOrder("linux/amd64", "linux/arm64")));
        frontDoor()
                .queryParam("q", REPOSITORY)
                .queryParam("platform", "linux/arm64")
                .get("/api/v1/search")
                .then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.hasItem(REPOSITORY));
        frontDoor()
                .queryParam("q", REPOSITORY)
                .queryParam("platform", "linux/s390x")
                .get("/api/v1/search")
                .then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(REPOSITORY)));
    }
    /**
     * Issue 19: {@code podman search} asks Docker Hub's {@code /v1/search} first and shows what it
     * answers: the ranked results with their stars and official marks, which its filters and limit
     * act on. A private repository stays out of an anonymous caller's results.
     */
    @Test
    void podmanSearchShowsTheRankedResultsWithStarsAndOfficialMarks() throws Exception {
        String word = "hubzq" + UUID.randomUUID().toString().substring(0, 6);
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("hub-" + word));
        writer.tag("v1", writer.image("amd64", 1, 2_000));
        String official = word;
        String community = "acme/" + word + "-tools";
        for (String repository : new String[] {official, community}) {
            Commands.run(
                    work,
                    "skopeo",
                    "copy",
                    "--dest-tls-verify=false",
                    "--dest-creds",
                    platform.adminCreds(),
                    "oci:" + writer.path() + ":v1",
                    "docker://" + platform.registry() + "/" + repository + ":v1");
        }
        String secret = "acme/" + word + "-secret";
        frontDoor()
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .contentType("application/json")
                .body(Map.of("name", secret, "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        String user = "hubfan" + UUID.randomUUID().toString().substring(0, 6);
        frontDoor()
                .contentType("application/json")
                .body(Map.of("username", user, "password", "star-gazer-1"))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        String officialName = frontDoor()
                .queryParam("q", word)
                .get("/v1/search")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("results.find { it.is_official }.name");
        frontDoor()
                .auth()
                .preemptive()
                .basic(user, "star-gazer-1")
                .put("/api/v1/repositories/" + officialName + "/star")
                .then()
                .statusCode(204);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> frontDoor()
                        .queryParam("q", word)
                        .get("/v1/search")
                        .then()
                        .statusCode(200)
                        .body("query", equalTo(word))
                        .body("page", equalTo(1))
                        .body("page_size", equalTo(25))
                        .body("num_results", equalTo(2))
                        .body("results.size()", equalTo(2))
                        .body("results[0].name", equalTo(officialName))
                        .body("results[0].star_count", equalTo(1))
                        .body("results[0].is_official", equalTo(true))
                        .body("results[0].is_automated", equalTo(false))
                        .body("results[1].name", equalTo(community))
                        .body("results[1].is_official", equalTo(false)));
        // the private one is the admin's to find, nobody else's: not a signed-in stranger's either
        frontDoor()
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .queryParam("q", word)
                .get("/v1/search")
                .then()
                .statusCode(200)
                .body("num_results", equalTo(3));
        frontDoor()
                .auth()
                .preemptive()
                .basic(user, "star-gazer-1")
                .queryParam("q", word)
                .get("/v1/search")
                .then()
                .statusCode(200)
                .body("num_results", equalTo(2))
                .body("results.name", not(hasItem(secret)));
        frontDoor()
                .queryParam("q", word)
                .queryParam("n", "0")
                .get("/v1/search")
                .then()
                .statusCode(400);

        ObjectMapper json = new ObjectMapper();
        JsonNode all = json.readTree(podmanSearch(word));
        assertEquals(2, all.size(), all.toString());
        assertTrue(all.get(0).get("Name").asText().endsWith("/" + officialName), all.toString());
        assertEquals(1, all.get(0).get("Stars").asInt(), all.toString());
        assertEquals("[OK]", all.get(0).get("Official").asText(), all.toString());
        assertTrue(all.get(1).get("Name").asText().endsWith("/" + community), all.toString());
        assertEquals("", all.get(1).get("Official").asText(), all.toString());
        JsonNode officialOnly = json.readTree(podmanSearch(word, "--filter=is-official"));
        assertEquals(1, officialOnly.size(), officialOnly.toString());
        assertTrue(officialOnly.get(0).get("Name").asText().endsWith("/" + officialName), officialOnly.toString());
        JsonNode starred = json.readTree(podmanSearch(word, "--filter=stars=1"));
        assertEquals(1, starred.size(), starred.toString());
        JsonNode one = json.readTree(podmanSearch(word, "--limit", "1"));
        assertEquals(1, one.size(), one.toString());
        assertFalse(all.toString().contains("-secret"), "a private repository in an anonymous search");
    }

    private static String podmanSearch(String term, String... options) {
        List<String> command = new ArrayList<>(List.of("podman", "search", "--tls-verify=false", "--format", "json"));
        command.addAll(List.of(options));
        command.add(platform.registry() + "/" + term);
        return Commands.run(work, command.toArray(String[]::new));
    }
}
