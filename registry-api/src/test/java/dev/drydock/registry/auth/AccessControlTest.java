package dev.drydock.registry.auth;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.RegistryToken;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Who may do what through /v2, and that every forged, stale or borrowed credential is refused. */
@QuarkusTest
class AccessControlTest {

    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String EMPTY_INDEX = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]}";
    private static final String PASSWORD = "correct horse battery";

    @Inject
    RegistryTokens tokens;

    private static String user() {
        String name = "u" + UUID.randomUUID().toString().substring(0, 8);
        RestAssured.given()
                .contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        return name;
    }

    private static String token(String username, String secret, String... scopes) {
        RequestSpecification request = RestAssured.given();
        if (username != null) {
            request.auth().preemptive().basic(username, secret);
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

    private static RequestSpecification bearer(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token);
    }

    private static Response push(String token, String repository) {
        return bearer(token).contentType(INDEX).body(EMPTY_INDEX).put("/v2/" + repository + "/manifests/v1");
    }

    private static String personalToken(String username, String scope) {
        return RestAssured.given()
                .auth()
                .preemptive()
                .basic(username, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", "ci", "scope", scope))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
    }

    @Test
    void withoutATokenTheRegistryChallengesTheClientToFetchOne() {
        RestAssured.given()
                .get("/v2/")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer realm=\"http://"))
                .header("WWW-Authenticate", containsString("/token\",service=\"drydock\""))
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
        RestAssured.given()
                .get("/v2/acme/app/manifests/v1")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("scope=\"repository:acme/app:pull\""));
        bearer(token(null, null)).get("/v2/").then().statusCode(200);
        // behind an ingress that terminates TLS: the token endpoint where the client came in
        RestAssured.given()
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "registry.example")
                .get("/v2/")
                .then()
                .statusCode(401)
                .header(
                        "WWW-Authenticate",
                        startsWith("Bearer realm=\"https://registry.example/token\",service=\"drydock\""));
    }

    @Test
    void aMountsChallengeAlsoAsksForPullOnItsSourceAndTokenTakesSeveralScopesInOne() {
        RestAssured.given()
                .urlEncodingEnabled(false)
                .post("/v2/acme/target/blobs/uploads/?mount=sha256:" + "a".repeat(64) + "&from=acme/source")
                .then()
                .statusCode(401)
                .header(
                        "WWW-Authenticate",
                        containsString("scope=\"repository:acme/target:pull,push repository:acme/source:pull\""));

        String alice = user();
        String both = token(
                alice, PASSWORD, "repository:" + alice + "/target:pull,push repository:" + alice + "/source:pull");
        RegistryToken granted = tokens.verify(both).orElseThrow();
        assertTrue(granted.allows(alice + "/target", Action.PUSH));
        assertTrue(granted.allows(alice + "/source", Action.PULL));
    }

    @Test
    void aUserPushesToTheirOwnNamespaceAndAnonymousPullsItButMayNotPush() {
        String alice = user();
        push(token(alice, PASSWORD, "repository:" + alice + "/app:pull,push"), alice + "/app")
                .then()
                .statusCode(201);

        String anonymous = token(null, null, "repository:" + alice + "/app:pull,push");
        bearer(anonymous).get("/v2/" + alice + "/app/manifests/v1").then().statusCode(200);
        push(anonymous, alice + "/app")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"insufficient_scope\""));

        String bob = user();
        push(token(bob, PASSWORD, "repository:" + alice + "/app:pull,push"), alice + "/app")
                .then()
                .statusCode(401);
    }

    @Test
    void aPrivateRepositoryIsIndistinguishableFromAMissingOne() {
        String alice = user();
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", alice + "/secret", "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        push(token(alice, PASSWORD, "repository:" + alice + "/secret:pull,push"), alice + "/secret")
                .then()
                .statusCode(201);

        String bob = user();
        Response secret = bearer(token(bob, PASSWORD, "repository:" + alice + "/secret:pull"))
                .get("/v2/" + alice + "/secret/manifests/v1");
        Response missing = bearer(token(bob, PASSWORD, "repository:" + alice + "/missing:pull"))
                .get("/v2/" + alice + "/missing/manifests/v1");
        assertEquals(missing.statusCode(), secret.statusCode());
        assertEquals(401, secret.statusCode());
        assertEquals(missing.body().asString(), secret.body().asString());
        assertEquals(
                missing.header("WWW-Authenticate").replace("missing", "secret"), secret.header("WWW-Authenticate"));
        bearer(token(bob, PASSWORD, "repository:" + alice + "/secret:pull"))
                .get("/v2/" + alice + "/secret/tags/list")
                .then()
                .statusCode(401);

        bearer(token(bob, PASSWORD, "registry:catalog:*"))
                .get("/v2/_catalog?n=1000")
                .then()
                .statusCode(200)
                .body("repositories", not(hasItem(alice + "/secret")));
        bearer(token(alice, PASSWORD, "registry:catalog:*"))
                .get("/v2/_catalog?n=1000")
                .then()
                .statusCode(200)
                .body("repositories", hasItem(alice + "/secret"));
    }

    @Test
    void aReadOnlyPersonalAccessTokenPullsButCannotPush() {
        String alice = user();
        push(token(alice, PASSWORD, "repository:" + alice + "/app:pull,push"), alice + "/app")
                .then()
                .statusCode(201);
        String pat = personalToken(alice, "read");
        String jwt = token(alice, pat, "repository:" + alice + "/app:pull,push");
        bearer(jwt).get("/v2/" + alice + "/app/manifests/v1").then().statusCode(200);
        push(jwt, alice + "/app").then().statusCode(401);
    }

    @Test
    void aRevokedPersonalAccessTokenStopsWorkingAtOnce() {
        String alice = user();
        String pat = personalToken(alice, "read-write");
        String jwt = token(alice, pat, "repository:" + alice + "/app:pull,push");
        push(jwt, alice + "/app").then().statusCode(201);

        String id = RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .get("/api/v1/tokens")
                .then()
                .statusCode(200)
                .extract()
                .path("[0].id");
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .delete("/api/v1/tokens/" + id)
                .then()
                .statusCode(204);

        bearer(jwt)
                .get("/v2/" + alice + "/app/manifests/v1")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""));
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, pat)
                .get("/token")
                .then()
                .statusCode(401);
    }

    @Test
    void expiredForgedUnsignedAndBorrowedTokensAreRefused() throws Exception {
        String alice = user();
        String repository = alice + "/app";
        List<RegistryToken.Access> all =
                List.of(new RegistryToken.Access("repository", repository, List.of("pull", "push")));

        String expired = tokens.issue(
                RegistryToken.Purpose.REGISTRY, alice, null, all, Instant.now().minus(Duration.ofMinutes(5)));
        push(expired, repository).then().statusCode(401).header("WWW-Authenticate", containsString("invalid_token"));

        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("forged").generate();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("drydock")
                .subject(alice)
                .audience("drydock")
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .claim("access", List.of(Map.of("type", "repository", "name", repository, "actions", List.of("push"))))
                .build();
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("forged").build(), claims);
        forged.sign(new ECDSASigner(other));
        push(forged.serialize(), repository).then().statusCode(401);

        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String unsigned = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
        push(unsigned, repository).then().statusCode(401);

        String forA = token(alice, PASSWORD, "repository:" + alice + "/a:pull,push");
        push(forA, alice + "/a").then().statusCode(201);
        push(forA, alice + "/b")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("insufficient_scope"));
    }

    @Test
    void organisationRolesDecideWhatMembersMayDo() {
        String owner = user();
        String reader = user();
        String org = "org" + UUID.randomUUID().toString().substring(0, 6);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", org))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "read"))
                .put("/api/v1/organizations/" + org + "/members/" + reader)
                .then()
                .statusCode(204);
        push(token(owner, PASSWORD, "repository:" + org + "/app:pull,push"), org + "/app")
                .then()
                .statusCode(201);

        String readerToken = token(reader, PASSWORD, "repository:" + org + "/app:pull,push");
        bearer(readerToken).get("/v2/" + org + "/app/manifests/v1").then().statusCode(200);
        push(readerToken, org + "/app").then().statusCode(401);
        // an organisation's repositories start private
        bearer(token(null, null, "repository:" + org + "/app:pull"))
                .get("/v2/" + org + "/app/manifests/v1")
                .then()
                .statusCode(401);
    }

    @Test
    void aTeamsRoleHoldsOnlyOnTheRepositoriesItNames() {
        String owner = user();
        String builder = user();
        String org = "team" + UUID.randomUUID().toString().substring(0, 6);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", org))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        // teams take only members: the builder joins with the weakest role
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "read"))
                .put("/api/v1/organizations/" + org + "/members/" + builder)
                .then()
                .statusCode(204);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "write", "repositories", List.of(org + "/api"), "members", List.of(builder)))
                .put("/api/v1/organizations/" + org + "/teams/builders")
                .then()
                .statusCode(204);

        push(token(builder, PASSWORD, "repository:" + org + "/api:pull,push"), org + "/api")
                .then()
                .statusCode(201);
        push(token(builder, PASSWORD, "repository:" + org + "/web:pull,push"), org + "/web")
                .then()
                .statusCode(401);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .get("/api/v1/organizations/" + org + "/teams")
                .then()
                .statusCode(200)
                .body("[0].name", equalTo("builders"))
                .body("[0].members", equalTo(List.of(builder)));
        // only organisation admins define teams
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(builder, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "admin"))
                .put("/api/v1/organizations/" + org + "/teams/builders")
                .then()
                .statusCode(404);
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(owner, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "write", "repositories", List.of("elsewhere/api")))
                .put("/api/v1/organizations/" + org + "/teams/bad")
                .then()
                .statusCode(400)
                .body("field", equalTo("repositories"));
    }

    @Test
    void signUpRulesAnswerAsProblemDetails() {
        String alice = user();
        RestAssured.given()
                .contentType("application/json")
                .body(Map.of("username", alice, "password", PASSWORD))
                .post("/api/v1/users")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("field", equalTo("username"))
                .body("status", equalTo(409));
        RestAssured.given()
                .contentType("application/json")
                .body(Map.of("username", "Bad Name", "password", PASSWORD))
                .post("/api/v1/users")
                .then()
                .statusCode(400)
                .body("field", equalTo("username"));
        RestAssured.given()
                .contentType("application/json")
                .body(Map.of("username", "shortpw", "password", "x"))
                .post("/api/v1/users")
                .then()
                .statusCode(400)
                .body("field", equalTo("password"));
    }

    @Test
    void repeatedWrongPasswordsAreThrottled() {
        String carol = user();
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            RestAssured.given()
                    .auth()
                    .preemptive()
                    .basic(carol, "wrong password")
                    .get("/token")
                    .then()
                    .statusCode(401);
        }
        RestAssured.given()
                .auth()
                .preemptive()
                .basic(carol, PASSWORD)
                .get("/token")
                .then()
                .statusCode(429)
                .header("Retry-After", not(equalTo(null)))
                .body("errors[0].code", equalTo("TOOMANYREQUESTS"));
    }

    @Test
    void aLoginWithOfflineTokenGetsARefreshTokenThatLogoutRevokes() {
        String alice = user();
        String refresh = RestAssured.given()
                .auth()
                .preemptive()
                .basic(alice, PASSWORD)
                .queryParam("offline_token", true)
                .get("/token")
                .then()
                .statusCode(200)
                .extract()
                .path("refresh_token");
        RestAssured.given()
                .formParam("grant_type", "refresh_token")
                .formParam("refresh_token", refresh)
                .formParam("scope", "repository:" + alice + "/app:pull")
                .post("/token")
                .then()
                .statusCode(200)
                .body("access_token", not(equalTo(null)));
        RestAssured.given()
                .contentType("application/json")
                .body(Map.of("refreshToken", refresh))
                .delete("/api/v1/sessions")
                .then()
                .statusCode(204);
        RestAssured.given()
                .formParam("grant_type", "refresh_token")
                .formParam("refresh_token", refresh)
                .post("/token")
                .then()
                .statusCode(401);
    }
}
