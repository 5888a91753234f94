package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logins of real clients, personal access tokens, and private repositories as other users see them. */
class AccessIT {

    private static final String PASSWORD = "s3cret-password";
    private static Platform platform;
    private static Path image;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() {
        platform = Platform.get();
        image = new OciLayoutWriter(work.resolve("image"))
                .tag("v1", new OciLayoutWriter(work.resolve("image")).image("amd64", 2, 30_000))
                .path();
    }

    private static String signUp() {
        String name = "user" + UUID.randomUUID().toString().substring(0, 8);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        return name;
    }

    private static String personalToken(String user, String scope) {
        return RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(user, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", "laptop", "scope", scope))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
    }

    private static String docker(String reference) {
        return "docker://" + platform.registry() + "/" + reference;
    }

    private static Commands.Result skopeo(String... arguments) {
        String[] command = new String[arguments.length + 1];
        command[0] = "skopeo";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return Commands.attempt(work, command);
    }

    /** skopeo copies the test image to {@code reference} with the user's password; it must succeed. */
    private static void pushAs(String user, String reference) {
        Commands.Result push = skopeo(
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                user + ":" + PASSWORD,
                "oci:" + image + ":v1",
                docker(reference));
        assertEquals(0, push.exitCode(), push.output());
    }

    /** A JSON request to the front door's REST API, signed in as the user with their password. */
    private static io.restassured.specification.RequestSpecification as(String user) {
        return RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(user, PASSWORD)
                .contentType("application/json");
    }

    private static Response changeRepository(String user, String repository, Map<String, ?> change) {
        return as(user).body(change).patch("/api/v1/repositories/" + repository);
    }

    /** The visibilities the audit log has seen the repository changed to, oldest first. */
    private static List<String> visibilityChanges(String repository) {
        return RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .queryParam("repository", repository)
                .queryParam("type", "dev.drydock.repository.visibility_changed")
                .get("/api/v1/audit")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.data.visibility", String.class);
    }

    @Test
    void aRepositoryMadePrivateHidesItsImageFromOthersAndMadePublicAgainShowsIt() {
        String alice = signUp();
        String bob = signUp();
        String repository = alice + "/settings";
        pushAs(alice, repository + ":v1");

        changeRepository(bob, repository, Map.of("visibility", "private"))
                .then()
                .statusCode(404);
        changeRepository(alice, repository, Map.of("visibility", "secret"))
                .then()
                .statusCode(400);
        changeRepository(alice, repository, Map.of("visibility", "private"))
                .then()
                .statusCode(200)
                .body("visibility", equalTo("private"));
        // the same setting again changes nothing, and says so by no event
        changeRepository(alice, repository, Map.of("visibility", "private"))
                .then()
                .statusCode(200);
        changeRepository(alice, repository, Map.of("description", "Kept away"))
                .then()
                .statusCode(200)
                .body("visibility", equalTo("private"))
                .body("description", equalTo("Kept away"));

        Commands.Result anonymous = skopeo("inspect", "--tls-verify=false", "--no-creds", docker(repository + ":v1"));
        assertNotEquals(0, anonymous.exitCode(), anonymous.output());
        Commands.Result stranger =
                skopeo("inspect", "--tls-verify=false", "--creds", bob + ":" + PASSWORD, docker(repository + ":v1"));
        assertNotEquals(0, stranger.exitCode(), stranger.output());
        Commands.Result owner =
                skopeo("inspect", "--tls-verify=false", "--creds", alice + ":" + PASSWORD, docker(repository + ":v1"));
        assertEquals(0, owner.exitCode(), owner.output());

        changeRepository(alice, repository, Map.of("visibility", "public"))
                .then()
                .statusCode(200);
        Commands.Result anonymousAgain =
                skopeo("inspect", "--tls-verify=false", "--no-creds", docker(repository + ":v1"));
        assertEquals(0, anonymousAgain.exitCode(), anonymousAgain.output());
        // one event per real change: the repeated setting left none
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertEquals(List.of("private", "public"), visibilityChanges(repository)));
    }

    @Test
    void skopeoLogsInWithAPasswordPushesToItsNamespaceAndAnonymousPullsThePublicImage() {
        String alice = signUp();
        Path auth = work.resolve(alice + "-auth.json");
        Commands.Result login = skopeo(
                "login",
                "--tls-verify=false",
                "--authfile",
                auth.toString(),
                "-u",
                alice,
                "-p",
                PASSWORD,
                platform.registry());
        assertEquals(0, login.exitCode(), login.output());
        Commands.Result push = skopeo(
                "copy",
                "--dest-tls-verify=false",
                "--authfile",
                auth.toString(),
                "oci:" + image + ":v1",
                docker(alice + "/app:v1"));
        assertEquals(0, push.exitCode(), push.output());

        Commands.Result anonymous = skopeo("inspect", "--tls-verify=false", "--no-creds", docker(alice + "/app:v1"));
        assertEquals(0, anonymous.exitCode(), anonymous.output());

        Commands.Result wrongPassword = skopeo(
                "login",
                "--tls-verify=false",
                "--authfile",
                auth.toString(),
                "-u",
                alice,
                "-p",
                "not-the-password",
                platform.registry());
        assertNotEquals(0, wrongPassword.exitCode());
        Commands.Result anonymousPush = skopeo(
                "copy",
                "--dest-tls-verify=false",
                "--dest-no-creds",
                "oci:" + image + ":v1",
                docker(alice + "/app:v2"));
        assertNotEquals(0, anonymousPush.exitCode(), anonymousPush.output());
    }

    @Test
    void podmanLogsInWithAPersonalAccessTokenAndAReadOnlyTokenCannotPush() {
        String bob = signUp();
        String readWrite = personalToken(bob, "read-write");
        Path auth = work.resolve(bob + "-podman-auth.json");
        Commands.run(
                work,
                "podman",
                "login",
                "--tls-verify=false",
                "--authfile",
                auth.toString(),
                "-u",
                bob,
                "-p",
                readWrite,
                platform.registry());
        Commands.Result push = skopeo(
                "copy",
                "--dest-tls-verify=false",
                "--authfile",
                auth.toString(),
                "oci:" + image + ":v1",
                docker(bob + "/tool:v1"));
        assertEquals(0, push.exitCode(), push.output());

        String readOnly = personalToken(bob, "read");
        Commands.Result pull =
                skopeo("inspect", "--tls-verify=false", "--creds", bob + ":" + readOnly, docker(bob + "/tool:v1"));
        assertEquals(0, pull.exitCode(), pull.output());
        Commands.Result denied = skopeo(
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                bob + ":" + readOnly,
                "oci:" + image + ":v1",
                docker(bob + "/tool:v2"));
        assertNotEquals(0, denied.exitCode());
        assertTrue(denied.output().contains("denied") || denied.output().contains("unauthorized"), denied.output());
    }

    @Test
    void layerStoreTrustsNoCallerWithoutARegistryToken() {
        String layerStore = "http://127.0.0.1:" + platform.layerStorePort;
        RestAssured.given()
                .baseUri(layerStore)
                .post("/v2/acme/direct/blobs/uploads/")
                .then()
                .statusCode(401)
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
        RestAssured.given()
                .baseUri(layerStore)
                .header("Authorization", platform.adminBearer("acme/other"))
                .post("/v2/acme/direct/blobs/uploads/")
                .then()
                .statusCode(401);
        RestAssured.given()
                .baseUri(layerStore)
                .header("Authorization", platform.adminBearer("acme/direct"))
                .post("/v2/acme/direct/blobs/uploads/")
                .then()
                .statusCode(202);
    }

    @Test
    void aPrivateRepositoryDoesNotExistForOthersAndItsBlobsStayInIt() {
        String carol = signUp();
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(carol, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", carol + "/secret", "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        pushAs(carol, carol + "/secret:v1");
        List<String> blobs = OciImages.blobDigests(image, OciImages.manifestDigest(image, "v1"));

        String dave = signUp();
        Commands.Result secret =
                skopeo("inspect", "--tls-verify=false", "--creds", dave + ":" + PASSWORD, docker(carol + "/secret:v1"));
        Commands.Result missing = skopeo(
                "inspect", "--tls-verify=false", "--creds", dave + ":" + PASSWORD, docker(carol + "/nothing:v1"));
        assertNotEquals(0, secret.exitCode());
        // the same answer, word for word (skopeo's log line starts with the time, which may differ by a second)
        assertEquals(withoutTime(missing.output()).replace("nothing", "secret"), withoutTime(secret.output()));

        // nor its referrers: the same answer as for a repository that does not exist
        String manifest = OciImages.manifestDigest(image, "v1");
        var referrersOfSecret = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.bearer(dave, PASSWORD, carol + "/secret"))
                .get("/v2/" + carol + "/secret/referrers/" + manifest);
        var referrersOfNothing = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.bearer(dave, PASSWORD, carol + "/nothing"))
                .get("/v2/" + carol + "/nothing/referrers/" + manifest);
        assertEquals(referrersOfNothing.statusCode(), referrersOfSecret.statusCode());
        assertTrue(
                referrersOfSecret.statusCode() == 401 || referrersOfSecret.statusCode() == 404,
                "referrers of a private repository answered " + referrersOfSecret.statusCode());
        assertEquals(referrersOfNothing.asString().replace("nothing", "secret"), referrersOfSecret.asString());

        // nor its blobs (refused by the access check, before anything asks layer-store)
        int blobOfSecret = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.bearer(dave, PASSWORD, carol + "/secret"))
                .get("/v2/" + carol + "/secret/blobs/" + blobs.get(1))
                .statusCode();
        assertTrue(
                blobOfSecret == 401 || blobOfSecret == 404, "a blob of a private repository answered " + blobOfSecret);

        // dave's own public repository does not link carol's layer: asking for it there finds nothing
        Commands.Result own = skopeo(
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                dave + ":" + PASSWORD,
                "oci:"
                        + new OciLayoutWriter(work.resolve("dave"))
                                .tag("v1", new OciLayoutWriter(work.resolve("dave")).image("arm64", 1, 1000))
                                .path()
                        + ":v1",
                docker(dave + "/public:v1"));
        assertEquals(0, own.exitCode(), own.output());
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.bearer(dave, PASSWORD, dave + "/public"))
                .get("/v2/" + dave + "/public/blobs/" + blobs.get(1))
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));
        // nor can dave mount it from carol's repository: the mount falls back to an upload session
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.bearer(dave, PASSWORD, dave + "/public", carol + "/secret"))
                .queryParam("mount", blobs.get(1))
                .queryParam("from", carol + "/secret")
                .post("/v2/" + dave + "/public/blobs/uploads/")
                .then()
                .statusCode(202);

        // the owner reads the repository's audit trail; others are refused
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .auth()
                        .preemptive()
                        .basic(carol, PASSWORD)
                        .queryParam("repository", carol + "/secret")
                        .get("/api/v1/audit")
                        .then()
                        .statusCode(200)
                        .body("items.type", org.hamcrest.Matchers.hasItem("dev.drydock.manifest.pushed")));
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(dave, PASSWORD)
                .queryParam("repository", carol + "/secret")
                .get("/api/v1/audit")
                .then()
                .statusCode(403);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(dave, PASSWORD)
                .get("/api/v1/audit")
                .then()
                .statusCode(403);

        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.bearer(dave, PASSWORD))
                .get("/v2/_catalog")
                .then()
                .statusCode(200)
                .body("repositories", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(carol + "/secret")));
    }

    @Test
    void theReadApiShowsAPrivateRepositoryToThoseWhoMayPullItAndToNobodyElse() {
        String erin = signUp();
        String frank = signUp();
        String organization = "organization" + UUID.randomUUID().toString().substring(0, 8);
        String front = "http://" + platform.registry();
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", organization))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .contentType("application/json")
                .body(Map.of(
                        "name", organization + "/vault", "visibility", "private", "description", "Where the gold is"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", organization + "/lobby", "visibility", "private"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);

        // the owner finds it in search and opens it; the description is searched too
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri(front)
                        .auth()
                        .preemptive()
                        .basic(erin, PASSWORD)
                        .queryParam("q", "gold")
                        .queryParam("organization", organization)
                        .get("/api/v1/search")
                        .then()
                        .statusCode(200)
                        .body("name", org.hamcrest.Matchers.contains(organization + "/vault")));
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .get("/api/v1/repositories/" + organization + "/vault")
                .then()
                .statusCode(200)
                .body("visibility", equalTo("private"))
                .body("description", equalTo("Where the gold is"));
        // a signed-in stranger and an anonymous visitor get what a missing repository gets
        for (var caller : List.of(
                RestAssured.given().baseUri(front).auth().preemptive().basic(frank, PASSWORD),
                RestAssured.given().baseUri(front))) {
            caller.get("/api/v1/repositories/" + organization + "/vault").then().statusCode(404);
        }
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(frank, PASSWORD)
                .queryParam("q", "gold")
                .queryParam("organization", organization)
                .get("/api/v1/search")
                .then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.empty());
        // a team with read on one repository sees that one only (its member is a plain member of the organisation)
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .contentType("application/json")
                .body(Map.of("role", "member"))
                .put("/api/v1/organizations/" + organization + "/members/" + frank)
                .then()
                .statusCode(204);
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .contentType("application/json")
                .body(Map.of(
                        "role", "read", "repositories", List.of(organization + "/lobby"), "members", List.of(frank)))
                .put("/api/v1/organizations/" + organization + "/teams/visitors")
                .then()
                .statusCode(org.hamcrest.Matchers.lessThan(300));
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(frank, PASSWORD)
                .queryParam("namespace", organization)
                .get("/api/v1/repositories")
                .then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.contains(organization + "/lobby"));
        // a reader may not delete it; its admin may, and then it is gone from the read API too
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(frank, PASSWORD)
                .delete("/api/v1/repositories/" + organization + "/lobby")
                .then()
                .statusCode(404);
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .delete("/api/v1/repositories/" + organization + "/lobby")
                .then()
                .statusCode(204);
        RestAssured.given()
                .baseUri(front)
                .header("Authorization", platform.bearer(erin, PASSWORD, organization + "/lobby"))
                .get("/v2/" + organization + "/lobby/tags/list")
                .then()
                .statusCode(404);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri(front)
                        .auth()
                        .preemptive()
                        .basic(frank, PASSWORD)
                        .queryParam("namespace", organization)
                        .get("/api/v1/repositories")
                        .then()
                        .statusCode(200)
                        .body("name", org.hamcrest.Matchers.empty()));
        // audit-service believes nobody who bypasses the front door
        RestAssured.given()
                .baseUri("http://127.0.0.1:" + platform.auditPort)
                .get("/api/v1/repositories/" + organization + "/vault")
                .then()
                .statusCode(401);
        RestAssured.given()
                .baseUri("http://127.0.0.1:" + platform.auditPort)
                .auth()
                .preemptive()
                .basic(erin, PASSWORD)
                .get("/api/v1/audit")
                .then()
                .statusCode(401);
    }

    /** The status of a GET of the image's manifest (by tag) or of a blob, with a registry token, at the front door or layer-store. */
    private static int get(String base, String bearer, String path) {
        return RestAssured.given()
                .baseUri(base)
                .header("Authorization", bearer)
                .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                .get(path)
                .statusCode();
    }

    @Test
    void tokensSignedWhileARepositoryWasPublicEndWhenItIsMadePrivate() {
        String alice = signUp();
        String bob = signUp();
        String repository = alice + "/closing";
        pushAs(alice, repository + ":v1");
        String layer = OciImages.blobDigests(image, OciImages.manifestDigest(image, "v1"))
                .get(1);
        String front = "http://" + platform.registry();
        String layerStore = "http://127.0.0.1:" + platform.layerStorePort;
        String manifestPath = "/v2/" + repository + "/manifests/v1";
        String blobPath = "/v2/" + repository + "/blobs/" + layer;
        Map<String, String> tokens = Map.of(
                "anonymous", platform.bearer(null, null, repository),
                "a stranger", platform.bearer(bob, PASSWORD, repository),
                "the owner", platform.bearer(alice, PASSWORD, repository));
        tokens.forEach((who, bearer) -> {
            assertEquals(200, get(front, bearer, manifestPath), who + "'s manifest GET while public");
            assertEquals(200, get(front, bearer, blobPath), who + "'s blob GET while public");
            assertEquals(200, get(layerStore, bearer, blobPath), who + "'s blob GET at layer-store while public");
        });
        // a redirect URL handed out while public, by the front door in redirect mode
        String redirecting = "http://127.0.0.1:" + platform.redirectingRegistryPort;
        Response redirect = RestAssured.given()
                .baseUri(redirecting)
                .redirects()
                .follow(false)
                .header("Authorization", tokens.get("anonymous"))
                .get(blobPath);
        assertEquals(307, redirect.statusCode());
        String redirectUrl = redirect.header("Location");
        assertEquals(
                200,
                RestAssured.given().urlEncodingEnabled(false).get(redirectUrl).statusCode());

        changeRepository(alice, repository, Map.of("visibility", "private"))
                .then()
                .statusCode(200);

        // every token signed before ends: at the front door that made the change at once
        tokens.forEach((who, bearer) -> {
            assertEquals(401, get(front, bearer, manifestPath), who + "'s old token, manifest GET");
            assertEquals(401, get(front, bearer, blobPath), who + "'s old token, blob GET");
        });
        // at layer-store, and at the other front door, within their refresh (a second)
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> tokens.forEach((who, bearer) -> {
                    assertEquals(401, get(layerStore, bearer, blobPath), who + "'s old token, blob GET at layer-store");
                    assertEquals(
                            401, get(redirecting, bearer, manifestPath), who + "'s old token at the other front door");
                }));
        assertEquals(
                401,
                RestAssured.given().urlEncodingEnabled(false).get(redirectUrl).statusCode(),
                "the redirect URL handed out before");
        // a token asked for now says what each may do now
        assertEquals(401, get(front, platform.bearer(null, null, repository), manifestPath));
        assertEquals(401, get(layerStore, platform.bearer(bob, PASSWORD, repository), blobPath));
        String owner = platform.bearer(alice, PASSWORD, repository);
        assertEquals(200, get(front, owner, manifestPath));
        assertEquals(200, get(front, owner, blobPath));
        assertEquals(200, get(layerStore, owner, blobPath));
        // and the owner pushes on at once: the front door's own token for layer-store, signed
        // before the change, is replaced when layer-store refuses it
        pushAs(alice, repository + ":v2");
        assertEquals(
                200, get(front, platform.bearer(alice, PASSWORD, repository), "/v2/" + repository + "/manifests/v2"));
    }

    @Test
    void aTokenRequestNamingMoreThanAHundredScopesIsRefused() {
        // each scope is read from the database before the token is signed: a long list would only
        // stretch that moment (and the work) for an attacker
        StringBuilder scopes = new StringBuilder();
        for (int i = 0; i <= 100; i++) {
            scopes.append(" repository:nobody/r").append(i).append(":pull");
        }
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .queryParam("scope", scopes.toString().trim())
                .get("/token")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_scope"));
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .queryParam(
                        "scope", scopes.substring(0, scopes.lastIndexOf(" ")).trim())
                .get("/token")
                .then()
                .statusCode(200);
    }

    @Test
    void aMemberRemovedFromAnOrganisationLosesTheTokensTheyHoldAndNobodyElseDoes() {
        String erin = signUp();
        String frank = signUp();
        String organization = "leavers" + UUID.randomUUID().toString().substring(0, 8);
        String front = "http://" + platform.registry();
        String layerStore = "http://127.0.0.1:" + platform.layerStorePort;
        as(erin).body(Map.of("name", organization))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        String repository = organization + "/vault";
        pushAs(erin, repository + ":v1");
        as(erin).body(Map.of("role", "read"))
                .put("/api/v1/organizations/" + organization + "/members/" + frank)
                .then()
                .statusCode(204);
        String layer = OciImages.blobDigests(image, OciImages.manifestDigest(image, "v1"))
                .get(1);
        String manifestPath = "/v2/" + repository + "/manifests/v1";
        String blobPath = "/v2/" + repository + "/blobs/" + layer;
        String frankToken = platform.bearer(frank, PASSWORD, repository);
        String erinToken = platform.bearer(erin, PASSWORD, repository);
        assertEquals(200, get(front, frankToken, manifestPath));
        assertEquals(200, get(layerStore, frankToken, blobPath));

        as(erin).delete("/api/v1/organizations/" + organization + "/members/" + frank)
                .then()
                .statusCode(org.hamcrest.Matchers.lessThan(300));

        assertEquals(401, get(front, frankToken, manifestPath));
        assertEquals(401, get(front, frankToken, blobPath));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertEquals(401, get(layerStore, frankToken, blobPath)));
        assertEquals(401, get(front, platform.bearer(frank, PASSWORD, repository), manifestPath));
        // the withdrawal is frank's alone: the admin's token, signed before it, still works everywhere
        assertEquals(200, get(front, erinToken, manifestPath));
        assertEquals(200, get(layerStore, erinToken, blobPath));
    }

    private static String withoutTime(String skopeoOutput) {
        return skopeoOutput.replaceAll("time=\"[^\"]*\"", "");
    }
}
