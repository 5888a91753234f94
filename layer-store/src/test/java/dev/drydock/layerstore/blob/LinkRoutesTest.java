package dev.drydock.layerstore.blob;

import static dev.drydock.layerstore.TestTokens.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.drydock.layerstore.TestTokens;
import dev.drydock.oci.Digest;
import dev.drydock.oci.http.RawRequest;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.TestSigner;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The one question a manifest push asks about all its blobs ({@code POST /internal/links}). */
@QuarkusTest
class LinkRoutesTest {

    private static Digest upload(String repository, byte[] blob) {
        Digest digest = Digest.sha256Of(blob);
        given().contentType("application/octet-stream")
                .body(blob)
                .queryParam("digest", digest.toString())
                .post("/v2/" + repository + "/blobs/uploads/")
                .then()
                .statusCode(201);
        return digest;
    }

    /** The question, asked of acme/links with the tests' token. */
    private static Response ask(Object question) {
        return given().contentType("application/json")
                .queryParam("repository", "acme/links")
                .body(question)
                .post("/internal/links");
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }

    @Test
    void answersWhichBlobsTheRepositoryLinksWithTheBytesOfTheOneAskedFor() {
        byte[] config = ("{\"os\":\"linux\",\"architecture\":\"arm64\",\"n\":" + new Random().nextLong() + "}")
                .getBytes(StandardCharsets.UTF_8);
        Digest configDigest = upload("acme/links", config);
        Digest layer = upload("acme/links", random(3000));
        Digest elsewhere = upload("acme/other", random(100)); // stored, but not linked to acme/links
        Digest nowhere = Digest.sha256Of(random(10));
        JsonPath answer = ask(Map.of(
                        "digests",
                        List.of(configDigest.toString(), layer.toString(), elsewhere.toString(), nowhere.toString()),
                        "content",
                        configDigest.toString()))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(List.of(configDigest.toString(), layer.toString()), answer.getList("linked"));
        assertArrayEquals(config, Base64.getDecoder().decode(answer.getString("content")));

        // a blob too large to be a config is answered linked, without its bytes
        Digest large = upload("acme/links", random(64 * 1024 + 1));
        JsonPath withoutBytes = ask(Map.of("digests", List.of(large.toString()), "content", large.toString()))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(List.of(large.toString()), withoutBytes.getList("linked"));
        assertNull(withoutBytes.get("content"));
    }

    @Test
    void onlyATokenThatMayPullFromTheRepositoryGetsAnAnswer() {
        Digest digest = upload("acme/links", random(200));
        Map<String, Object> question = Map.of("digests", List.of(digest.toString()), "content", digest.toString());
        RestAssured.given()
                .contentType("application/json")
                .queryParam("repository", "acme/links")
                .body(question)
                .post("/internal/links")
                .then()
                .statusCode(401);
        String otherRepository = TestSigner.sign(
                "tester",
                RegistryToken.Purpose.REGISTRY,
                List.of(TestSigner.grant("repository", "acme/other", "pull", "push")),
                Duration.ofMinutes(5));
        RestAssured.given()
                .header("Authorization", "Bearer " + otherRepository)
                .contentType("application/json")
                .queryParam("repository", "acme/links")
                .body(question)
                .post("/internal/links")
                .then()
                .statusCode(401)
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
        String pushOnly = TestSigner.sign(
                "tester",
                RegistryToken.Purpose.REGISTRY,
                List.of(TestSigner.grant("repository", "acme/links", "push")),
                Duration.ofMinutes(5));
        RestAssured.given()
                .header("Authorization", "Bearer " + pushOnly)
                .contentType("application/json")
                .queryParam("repository", "acme/links")
                .body(question)
                .post("/internal/links")
                .then()
                .statusCode(401);
        // a token only to follow a redirect to a blob, for the repository itself
        String redirect = TestSigner.sign(
                "tester",
                RegistryToken.Purpose.REDIRECT,
                List.of(TestSigner.grant("repository", "acme/links", "pull")),
                Duration.ofMinutes(5));
        RestAssured.given()
                .header("Authorization", "Bearer " + redirect)
                .contentType("application/json")
                .queryParam("repository", "acme/links")
                .body(question)
                .post("/internal/links")
                .then()
                .statusCode(401)
                .body(not(containsString("linked")));
    }

    @Test
    void eachDigestIsAnsweredOnceAndAQuestionNamesAtMostAThousand() {
        Digest digest = upload("acme/links", random(300));
        JsonPath answer = ask(Map.of(
                        "digests",
                        List.of(digest.toString(), digest.toString(), digest.toString()),
                        "content",
                        digest.toString()))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(List.of(digest.toString()), answer.getList("linked"));
        List<String> many = IntStream.range(0, LinkRoutes.MAX_DIGESTS + 1)
                .mapToObj(i ->
                        Digest.sha256Of(new byte[] {(byte) i, (byte) (i >> 8)}).toString())
                .toList();
        ask(Map.of("digests", many)).then().statusCode(400).body("errors[0].code", equalTo("SIZE_INVALID"));
        ask("{\"digests\":[\"" + "x".repeat(300 * 1024) + "\"]}").then().statusCode(413);
    }

    @Test
    void badQuestionsAreClientErrors() {
        given().contentType("application/json")
                .queryParam("repository", "acme/Links")
                .body(Map.of("digests", List.of()))
                .post("/internal/links")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("NAME_INVALID"));
        assertEquals(
                400,
                RawRequest.status(
                        RestAssured.port,
                        "POST",
                        "/internal/links?repository=acme%zz",
                        TestTokens.authorization(),
                        "application/json",
                        "{\"digests\":[]}"),
                "a query string that does not decode");
        given().contentType("application/json")
                .body(Map.of("digests", List.of()))
                .post("/internal/links")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("NAME_INVALID"));
        ask(Map.of("digests", List.of("sha256:nothex")))
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
        ask(Map.of("digests", List.of(7))).then().statusCode(400).body("errors[0].code", equalTo("DIGEST_INVALID"));
        ask("{not json").then().statusCode(400);
        ask(Map.of("content", "sha256:" + "0".repeat(64))).then().statusCode(400);
        given().queryParam("repository", "acme/links")
                .get("/internal/links")
                .then()
                .statusCode(405);
    }
}
