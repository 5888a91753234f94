package dev.drydock.registry.auth;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.oci.http.RawRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The probes of the security review (issue 16), each against the running front door. */
@QuarkusTest
class AttackerProbesTest {

    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String EMPTY_INDEX = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]}";
    private static final String PASSWORD = "correct horse battery";

    private static String user() {
        String name = "p" + UUID.randomUUID().toString().substring(0, 8);
        RestAssured.given()
                .contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        return name;
    }

    private static String token(String username, String... scopes) {
        RequestSpecification request = RestAssured.given();
        if (username != null) {
            request.auth().preemptive().basic(username, PASSWORD);
        }
        for (String scope : scopes) {
            request.queryParam("scope", scope);
        }
        return request.queryParam("service", "drydock")
                .get("/token")
                .then()
                .statusCode(200)
                .extract()
                .path("token");
    }

    private static RequestSpecification raw(String token) {
        RequestSpecification request = RestAssured.given().urlEncodingEnabled(false);
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    /** The status of a request sent byte for byte as written (see {@link RawRequest}). */
    private static int exactly(String method, String path, String authorization) {
        return RawRequest.status(RestAssured.port, method, path, authorization, INDEX, EMPTY_INDEX);
    }

    /** A private repository of a fresh user holding tag v1. */
    private static String privateRepository() {
        String owner = user();
        String repository = owner + "/secret";
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", repository, "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        raw(token(owner, "repository:" + repository + ":pull,push"))
                .contentType(INDEX)
                .body(EMPTY_INDEX)
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201);
        return repository;
    }

    @Test
    void anAnonymousTokenCannotReadWriteOrDeleteAPrivateRepositoryThroughAnyOtherSpellingOfItsPath() {
        String repository = privateRepository();
        String anonymous = token(null);
        List<String> spellings = List.of(
                "/v2/" + repository + "/%6danifests/v1",
                "/v2/" + repository + "/manifests;x=1/v1",
                "//v2/" + repository + "/manifests/v1",
                "/%76%32/" + repository + "/manifests/v1",
                "/v2/" + repository + "/./manifests/v1",
                "/v2/" + repository + "/x/../manifests/v1",
                "/v2/" + repository.replace("/", "%2F") + "/manifests/v1",
                "/v2/" + repository + "/%74ags/list",
                "/v2/" + repository + "/tags;a/list",
                "/v2/" + repository + "/%72eferrers/sha256:" + "a".repeat(64));
        for (String path : spellings) {
            for (String method : List.of("GET", "HEAD", "PUT", "DELETE")) {
                int status = exactly(method, path, "Bearer " + anonymous);
                assertTrue(status == 400 || status == 404, method + " " + path + " answered " + status);
            }
        }
        raw(anonymous)
                .contentType(INDEX)
                .body(EMPTY_INDEX)
                .put("/v2/library/planted" + UUID.randomUUID().toString().substring(0, 6) + "/%6danifests/latest")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("NAME_INVALID"));
        // the repository is as its owner left it: v1 still there, nothing planted
        String owner = repository.substring(0, repository.indexOf('/'));
        raw(token(owner, "repository:" + repository + ":pull"))
                .get("/v2/" + repository + "/tags/list")
                .then()
                .statusCode(200)
                .body("tags", equalTo(List.of("v1")));
    }

    @Test
    void aFragmentInTheRequestTargetIsRefusedNotResolved() {
        String alice = user();
        String basic = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString((alice + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertEquals(400, exactly("GET", "/x#/../api/v1/users/me", basic));
        assertEquals(
                400,
                exactly(
                        "GET",
                        "/v2/" + alice + "/x/manifests/v1#/../../../../library/x/manifests/v1",
                        "Bearer " + token(alice, "repository:" + alice + "/x:pull")));
    }

    @Test
    void aRouteNotInTheTableIsNotFoundAndNothingRunsWithoutADecision() {
        raw(null).get("/api/v1/nothing-here").then().statusCode(404);
        raw(token(null))
                .post("/v2/acme/app/manifests/v1")
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("NAME_UNKNOWN"));
    }

    @Test
    void aRegistryTokenIsNoAccountCredential() {
        String alice = user();
        String registry = token(alice, "repository:" + alice + "/pub:pull");
        raw(registry)
                .contentType("application/json")
                .body(Map.of("name", "stolen", "scope", "read-write-delete"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(401);
        raw(registry).get("/api/v1/users/me").then().statusCode(401);
    }

    @Test
    void signingOutEndsTheSessionsAccessTokenAtOnce() {
        String alice = user();
        Map<String, Object> session = RestAssured.given()
                .contentType("application/json")
                .body(Map.of("username", alice, "password", PASSWORD))
                .post("/api/v1/sessions")
                .then()
                .statusCode(200)
                .extract()
                .as(Map.class);
        String access = (String) session.get("accessToken");
        raw(access).get("/api/v1/users/me").then().statusCode(200).body("username", equalTo(alice));
        // a registry token got with the session's refresh token belongs to the session too
        String registry = RestAssured.given()
                .formParam("grant_type", "refresh_token")
                .formParam("refresh_token", session.get("refreshToken"))
                .formParam("scope", "repository:" + alice + "/app:pull")
                .post("/token")
                .then()
                .statusCode(200)
                .extract()
                .path("token");
        raw(registry).get("/v2/" + alice + "/app/tags/list").then().statusCode(404);
        // a session token opens no repository
        raw(access).get("/v2/" + alice + "/app/tags/list").then().statusCode(401);
        RestAssured.given()
                .contentType("application/json")
                .body(Map.of("refreshToken", session.get("refreshToken")))
                .delete("/api/v1/sessions")
                .then()
                .statusCode(204);
        raw(access).get("/api/v1/users/me").then().statusCode(401);
        raw(registry).get("/v2/" + alice + "/app/tags/list").then().statusCode(401);
    }

    @Test
    void aForwardedHostCannotWriteIntoTheChallenge() {
        RestAssured.given()
                .header("X-Forwarded-Host", "evil.example\",error=\"x")
                .get("/v2/")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", not(containsString("evil.example")))
                .header("WWW-Authenticate", startsWith("Bearer realm=\"http://"));
    }

    @Test
    void nulBytesAndBadNumbersAre400WithAnErrorBodyNever500() {
        String alice = user();
        String pull = token(alice, "repository:" + alice + "/app:pull,push");
        raw(pull).get("/v2/_catalog?last=%00").then().statusCode(400).body("errors[0].code", equalTo("NAME_INVALID"));
        raw(pull).get("/v2/" + alice + "/app/tags/list?last=%00").then().statusCode(400);
        raw(pull)
                .get("/v2/_catalog?n=abc")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("PAGINATION_NUMBER_INVALID"));
        raw(pull).get("/v2/_catalog?n=99999999999999999999").then().statusCode(400);
        raw(null).get("/api/v1/repositories/%00").then().statusCode(400).contentType(containsString("problem+json"));
        RestAssured.given()
                .contentType("application/json")
                .body("{\"username\":\"a\\u0000b\",\"password\":\"x\"}")
                .post("/api/v1/sessions")
                .then()
                .statusCode(400);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .contentType("application/json")
                .body("{\"name\":\"" + alice + "/readme\",\"readme\":\"# hi\\u0000\"}")
                .post("/api/v1/repositories")
                .then()
                .statusCode(400);
        String manifest =
                "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"artifactType\":\"a\\u0000b\",\"manifests\":[]}";
        raw(pull)
                .contentType(INDEX)
                .body(manifest)
                .put("/v2/" + alice + "/app/manifests/nul")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("MANIFEST_INVALID"));
        assertEquals(404, raw(pull).get("/v2/" + alice + "/app/manifests/nul").statusCode());
        // a NUL or control character in a user name, a string where JSON wants one, a null role
        RestAssured.given()
                .header(
                        "Authorization",
                        "Basic "
                                + java.util.Base64.getEncoder()
                                        .encodeToString("nul\u0000user:x".getBytes(StandardCharsets.UTF_8)))
                .get("/token")
                .then()
                .statusCode(401);
        RestAssured.given()
                .formParam("grant_type", "password")
                .formParam("username", "form\u0001nul")
                .formParam("password", "x")
                .post("/token")
                .then()
                .statusCode(401);
        RestAssured.given()
                .contentType("application/json")
                .body("{\"username\":true,\"password\":\"long enough pw\"}")
                .post("/api/v1/users")
                .then()
                .statusCode(400);
        String organization = "n" + UUID.randomUUID().toString().substring(0, 8);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", organization))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .contentType("application/json")
                .body("{\"role\":null}")
                .put("/api/v1/organizations/" + organization + "/members/" + alice)
                .then()
                .statusCode(400);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .contentType("application/json")
                .body("{\"role\":null,\"members\":[]}")
                .put("/api/v1/organizations/" + organization + "/teams/t")
                .then()
                .statusCode(400);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "read", "repositories", List.of(organization + "/../victim/vault")))
                .put("/api/v1/organizations/" + organization + "/teams/t")
                .then()
                .statusCode(400);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", "far", "scope", "read", "expiresAt", "+999999999-12-31T23:59:59Z"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(400);
    }

    @Test
    void aMemberRemovedFromTheOrganisationLosesWhatTheirTeamsGaveAndTeamsTakeOnlyMembers() {
        String owner = user();
        String bob = user();
        String outsider = user();
        String organization = "o" + UUID.randomUUID().toString().substring(0, 8);
        RequestSpecification asOwner =
                RestAssured.given().auth().preemptive().basic(owner, PASSWORD).contentType("application/json");
        asOwner.body(Map.of("name", organization))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", organization + "/vault", "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "read"))
                .put("/api/v1/organizations/" + organization + "/members/" + bob)
                .then()
                .statusCode(204);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of(
                        "role", "write", "repositories", List.of(organization + "/vault"), "members", List.of(bob)))
                .put("/api/v1/organizations/" + organization + "/teams/builders")
                .then()
                .statusCode(204);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "write", "members", List.of(outsider)))
                .put("/api/v1/organizations/" + organization + "/teams/strangers")
                .then()
                .statusCode(400);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "read"))
                .put("/api/v1/organizations/missing-" + organization + "/members/" + bob)
                .then()
                .statusCode(not(equalTo(500)));

        String scope = "repository:" + organization + "/vault:pull,push";
        raw(token(bob, scope))
                .contentType(INDEX)
                .body(EMPTY_INDEX)
                .put("/v2/" + organization + "/vault/manifests/v1")
                .then()
                .statusCode(201);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .delete("/api/v1/organizations/" + organization + "/members/" + bob)
                .then()
                .statusCode(204);
        raw(token(bob, scope))
                .get("/v2/" + organization + "/vault/manifests/v1")
                .then()
                .statusCode(401);
        raw(token(outsider, scope))
                .get("/v2/" + organization + "/vault/manifests/v1")
                .then()
                .statusCode(401);
    }
}
