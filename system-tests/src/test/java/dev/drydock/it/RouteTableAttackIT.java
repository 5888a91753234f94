package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.oci.Digest;
import dev.drydock.oci.http.RawRequest;
import dev.drydock.oci.http.Routes;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Generated from the route table itself, so that a new route is attacked the day it is added:
 * every route × every other spelling of its path × every method it takes × callers who should get
 * nothing (none, an anonymous token, a stranger's token asking for everything, a stranger's
 * password) against a private repository — sent to the front door and, for blob routes, straight
 * to layer-store. Nothing may succeed, nothing may fail with a 5xx, and the repository must be as
 * its owner left it.
 */
class RouteTableAttackIT {

    private static final String PASSWORD = "victim-password-1";
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String EMPTY_INDEX = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]}";
    private static final String DIGEST = "sha256:" + "c".repeat(64);

    private static Platform platform;
    private static String victim;
    private static String repository;
    private static String stranger;
    private static String digestBefore;

    @BeforeAll
    static void victimWithAPrivateRepository() {
        platform = Platform.get();
        victim = signUp();
        stranger = signUp();
        repository = victim + "/vault";
        front().auth()
                .preemptive()
                .basic(victim, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", repository, "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        digestBefore = front().header("Authorization", "Bearer " + token(victim, PASSWORD, "pull,push"))
                .contentType(INDEX)
                .body(EMPTY_INDEX)
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201)
                .extract()
                .header("Docker-Content-Digest");
    }

    private static RequestSpecification front() {
        return RestAssured.given().baseUri("http://" + platform.registry()).urlEncodingEnabled(false);
    }

    private static String signUp() {
        String name = "rt" + UUID.randomUUID().toString().substring(0, 8);
        front().contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        return name;
    }

    private static String token(String user, String password, String actions) {
        RequestSpecification request = front();
        if (user != null) {
            request.auth().preemptive().basic(user, password);
        }
        return request.get("/token?service=drydock&scope=repository:" + repository + ":" + actions)
                .then()
                .statusCode(200)
                .extract()
                .path("token");
    }

    @Test
    void everyRoutesCanonicalPathIsOneTheRouteTableTakes() {
        for (Routes.Route route : Routes.all()) {
            String path = canonical(route);
            for (String method : route.methods()) {
                assertEquals(
                        route.name(),
                        Routes.match(method, path)
                                .orElseThrow(() -> new AssertionError(method + " " + path))
                                .route()
                                .name(),
                        method + " " + path);
            }
        }
    }

    /** The route's path filled in for the victim's repository. */
    static String canonical(Routes.Route route) {
        String pattern = route.path().pattern();
        String path = pattern.substring(1, pattern.length() - 1) // the anchors ^ and $
                .replace("(?<name>.+)", repository)
                .replace("(?<reference>[^/]+)", "[^/]+")
                .replace("(/.+)?", "/" + repository)
                .replace("(/verify)?", "")
                .replace("/?", "/")
                .replace("/.+/", "/" + repository + "/");
        if (path.endsWith("/.+")) {
            path = path.substring(0, path.length() - 3) + "/" + repository;
        }
        String[] parts = path.split("\\[\\^/\\]\\+", -1);
        StringBuilder filled = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String before = filled.toString();
            filled.append(
                            before.endsWith("/manifests/")
                                    ? "v1"
                                    : before.endsWith("/uploads/")
                                            ? UUID.randomUUID().toString()
                                            : before.endsWith("/organizations/")
                                                    ? victim
                                                    : before.endsWith("/members/")
                                                            ? stranger
                                                            : before.endsWith("/tags/")
                                                                    ? "v1"
                                                                    : before.endsWith("/teams/") ? "t" : DIGEST)
                    .append(parts[i]);
        }
        return filled.toString();
    }

    /** Other spellings of a canonical path that a normalising router would take for it. */
    static Map<String, String> spellings(String path) {
        Map<String, String> spelled = new LinkedHashMap<>();
        int last = path.lastIndexOf('/', path.length() - 2);
        String lastSegment = path.substring(last + 1);
        String keywordPath = path.startsWith("/v2/" + repository + "/")
                ? path.substring(0, ("/v2/" + repository + "/").length())
                : path.substring(0, last + 1);
        String rest = path.substring(keywordPath.length());
        if (!rest.isEmpty()) {
            String hex = String.format("%%%02x", (int) rest.charAt(0));
            spelled.put("percent-encoded letter", keywordPath + hex + rest.substring(1));
            spelled.put("upper-case percent-encoding", keywordPath + hex.toUpperCase() + rest.substring(1));
            int slash = rest.indexOf('/');
            spelled.put(
                    "path parameter",
                    slash < 0
                            ? path + ";x=1"
                            : keywordPath + rest.substring(0, slash) + ";x=1" + rest.substring(slash));
        }
        spelled.put("leading empty segment", "/" + path);
        spelled.put("empty segment", keywordPath + "/" + rest);
        spelled.put("dot segment", keywordPath + "./" + rest);
        spelled.put("dot-dot segment", keywordPath + "x/../" + rest);
        spelled.put(
                "encoded prefix",
                path.startsWith("/v2")
                        ? "/%76%32" + path.substring(3)
                        : path.startsWith("/v1") ? "/%76%31" + path.substring(3) : "/%61pi" + path.substring(4));
        if (path.contains(repository)) {
            spelled.put("encoded slash in the name", path.replace(repository, repository.replace("/", "%2F")));
        }
        spelled.put("NUL", path + "%00");
        spelled.put("trailing segment " + lastSegment, path + "/.");
        return spelled;
    }

    /** Who attacks, as the Authorization header they send (none: nothing). */
    private static List<Map.Entry<String, String>> callers() {
        return List.of(
                Map.entry("nobody", ""),
                Map.entry("anonymous token", "Bearer " + token(null, null, "pull,push,delete")),
                Map.entry("stranger's token", "Bearer " + token(stranger, PASSWORD, "pull,push,delete")),
                Map.entry(
                        "stranger's password",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((stranger + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8))));
    }

    @TestFactory
    Stream<DynamicTest> noOtherSpellingOfAnyRouteIsTakenByAnyCaller() {
        List<Map.Entry<String, String>> callers = callers();
        String anonymous = callers.get(1).getValue();
        List<DynamicTest> tests = new ArrayList<>();
        for (Routes.Route route : Routes.all()) {
            String path = canonical(route);
            for (Map.Entry<String, String> spelling : spellings(path).entrySet()) {
                tests.add(DynamicTest.dynamicTest(
                        route.name() + ", " + spelling.getKey() + ": " + spelling.getValue(), () -> {
                            for (String method : route.methods()) {
                                for (Map.Entry<String, String> caller : callers) {
                                    assertRefused(
                                            method + " " + spelling.getValue() + " as " + caller.getKey()
                                                    + " at the front door",
                                            exactly(
                                                    platform.registryPort,
                                                    method,
                                                    spelling.getValue(),
                                                    caller.getValue()),
                                            true);
                                }
                                if (route.owner() == Routes.Owner.LAYER_STORE) {
                                    assertRefused(
                                            method + " " + spelling.getValue() + " at layer-store",
                                            exactly(platform.layerStorePort, method, spelling.getValue(), anonymous),
                                            true);
                                }
                            }
                        }));
            }
        }
        tests.add(DynamicTest.dynamicTest("the victim's repository is unchanged", RouteTableAttackIT::unchanged));
        return tests.stream();
    }

    @Test
    void onTheCanonicalPathsStrangersGetNothingOfThePrivateRepository() {
        List<Map.Entry<String, String>> callers = callers();
        for (Routes.Route route : Routes.all()) {
            if (route.need() != Routes.Need.REPOSITORY) {
                continue;
            }
            String path = canonical(route);
            for (String method : route.methods()) {
                for (Map.Entry<String, String> caller : callers) {
                    assertRefused(
                            method + " " + path + " as " + caller.getKey(),
                            exactly(platform.registryPort, method, path, caller.getValue()),
                            false);
                }
            }
        }
        unchanged();
    }

    /**
     * layer-store's question about a repository's blobs ({@code POST /internal/links}, asked by
     * registry-api per manifest push) is no route of the front door, and layer-store answers it
     * only to a token that may pull from the repository: about a blob the private repository
     * does link, strangers and anonymous callers learn nothing.
     */
    @Test
    void layerStoresLinkQuestionTellsStrangersNothing() {
        String victimToken = "Bearer " + token(victim, PASSWORD, "pull,push");
        byte[] blob = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        String digest = Digest.sha256Of(blob).toString();
        front().header("Authorization", victimToken)
                .contentType("application/octet-stream")
                .body(blob)
                .post("/v2/" + repository + "/blobs/uploads/?digest=" + digest)
                .then()
                .statusCode(201);
        String question = "{\"digests\":[\"" + digest + "\"]}";
        String strangerToken = "Bearer " + token(stranger, PASSWORD, "pull,push");
        for (String caller : List.of(victimToken, strangerToken, "")) {
            assertEquals(
                    404,
                    RawRequest.status(
                            platform.registryPort,
                            "POST",
                            "/internal/links?repository=" + repository,
                            caller,
                            "application/json",
                            question),
                    "the front door has no route to layer-store's questions");
        }
        for (String caller : List.of(strangerToken, "")) {
            for (String named : List.of(repository, repository.replace("/", "%2F"))) {
                assertEquals(
                        401,
                        RawRequest.status(
                                platform.layerStorePort,
                                "POST",
                                "/internal/links?repository=" + named,
                                caller,
                                "application/json",
                                question),
                        "POST /internal/links?repository=" + named + " as "
                                + (caller.isEmpty() ? "nobody" : "a stranger"));
            }
        }
        // other spellings of the path are refused to everyone, the owner included, at both services
        for (String path : List.of(
                "/internal/%6cinks",
                "/internal/links;x", "//internal/links", "/internal/x/../links", "/internal//links")) {
            for (String caller : List.of(victimToken, strangerToken, "")) {
                for (int port : new int[] {platform.registryPort, platform.layerStorePort}) {
                    assertRefused(
                            "POST " + path + " at port " + port,
                            RawRequest.status(
                                    port,
                                    "POST",
                                    path + "?repository=" + repository,
                                    caller,
                                    "application/json",
                                    question),
                            true);
                }
            }
        }
        RestAssured.given()
                .baseUri("http://127.0.0.1:" + platform.layerStorePort)
                .header("Authorization", victimToken)
                .contentType("application/json")
                .body(question)
                .post("/internal/links?repository=" + repository)
                .then()
                .statusCode(200)
                .body("linked", equalTo(List.of(digest)));
    }

    @Test
    void everyAccountRouteRefusesCallersWithoutAnAccountCredential() {
        String registryToken = "Bearer " + token(stranger, PASSWORD, "pull,push,delete");
        for (Routes.Route route : Routes.all()) {
            if (route.need() != Routes.Need.ACCOUNT) {
                continue;
            }
            String path = canonical(route);
            for (String method : route.methods()) {
                // a well-formed JSON request, so that only the missing credential can refuse it
                assertEquals(
                        401,
                        RawRequest.status(platform.registryPort, method, path, "", "application/json", "{}"),
                        method + " " + path + " without credentials");
                assertEquals(
                        401,
                        RawRequest.status(platform.registryPort, method, path, registryToken, "application/json", "{}"),
                        method + " " + path + " with a registry token");
            }
        }
    }

    @Test
    void aFailedSignInNamedAfterARepositoryWritesNothingIntoItsAuditLog() {
        front().auth()
                .preemptive()
                .basic(repository, "x")
                .get("/token?service=drydock")
                .then()
                .statusCode(401);
        // something the victim does afterwards, so that once it shows, the failure would have too
        front().header("Authorization", "Bearer " + token(victim, PASSWORD, "pull,push"))
                .contentType(INDEX)
                .body(EMPTY_INDEX)
                .put("/v2/" + repository + "/manifests/after-probe")
                .then()
                .statusCode(201);
        RequestSpecification owner = front().auth().preemptive().basic(victim, PASSWORD);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertTrue(front().auth()
                        .preemptive()
                        .basic(victim, PASSWORD)
                        .get("/api/v1/audit?repository=" + repository)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("items.findAll { it.type == 'dev.drydock.tag.created' }.data.tag", String.class)
                        .contains("after-probe")));
        List<String> types = owner.get("/api/v1/audit?repository=" + repository)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.type", String.class);
        assertFalse(types.contains("dev.drydock.user.login_failed"), types.toString());
        front().header("Authorization", "Bearer " + token(victim, PASSWORD, "pull,push,delete"))
                .delete("/v2/" + repository + "/manifests/after-probe")
                .then()
                .statusCode(202);
    }

    /** The status of a request sent byte for byte as written (see {@link RawRequest}). */
    private static int exactly(int port, String method, String path, String authorization) {
        return RawRequest.status(port, method, path, authorization, INDEX, EMPTY_INDEX);
    }

    /** Refused as a client mistake or as unauthorised: never a success, never a server error. */
    private static void assertRefused(String what, int status, boolean spelling) {
        if (spelling) {
            assertTrue(
                    status == 400 || status == 404,
                    what + " answered " + status + " (a non-canonical path must be 400 or 404)");
        } else {
            assertTrue(status >= 400 && status < 500, what + " answered " + status);
        }
    }

    private static void unchanged() {
        String owner = token(victim, PASSWORD, "pull");
        assertEquals(
                digestBefore,
                front().header("Authorization", "Bearer " + owner)
                        .accept(INDEX)
                        .get("/v2/" + repository + "/manifests/v1")
                        .then()
                        .statusCode(200)
                        .extract()
                        .header("Docker-Content-Digest"));
        assertEquals(
                List.of("v1"),
                front().header("Authorization", "Bearer " + owner)
                        .get("/v2/" + repository + "/tags/list")
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("tags"));
    }
}
