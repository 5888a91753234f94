package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal in a real Chromium (Playwright): anonymous home, search, repository page, 404; and the
 * signed-in life of a private repository (e2e/accounts.mjs). Screenshots in target/screenshots.
 */
class PortalIT {

    @TempDir
    static Path work;

    @Test
    void aPushedImageIsFoundAndShownInTheBrowser() throws Exception {
        Platform platform = Platform.get();
        String repository = "acme/portal" + UUID.randomUUID().toString().substring(0, 6);
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("image"));
        writer.tag("v1", writer.image("amd64", 2, 20_000));
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + writer.path() + ":v1",
                "docker://" + platform.registry() + "/" + repository + ":v1");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri("http://" + platform.registry())
                        .get("/api/v1/repositories/" + repository)
                        .then()
                        .statusCode(200)
                        .body("tags[0].name", equalTo("v1")));

        Path e2e = Path.of("e2e").toAbsolutePath();
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        Commands.Result run = Commands.attempt(
                e2e,
                "node",
                "portal.mjs",
                "http://127.0.0.1:" + platform.portalPort,
                screenshots.toString(),
                repository,
                "v1");
        assertEquals(0, run.exitCode(), run.output());
        for (String shot : new String[] {"home.png", "search.png", "repository.png", "not-found.png"}) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 1000, shot);
        }
    }

    @Test
    void aPrivateRepositoryLivesInThePortalForItsOwnerAndNobodyElse() throws Exception {
        Platform platform = Platform.get();
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("private-image"));
        writer.tag("v1", writer.image("amd64", 2, 30_000));
        Path e2e = Path.of("e2e").toAbsolutePath();
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        Commands.Result run = Commands.attempt(
                e2e,
                "node",
                "accounts.mjs",
                "http://127.0.0.1:" + platform.portalPort,
                screenshots.toString(),
                platform.registry(),
                writer.path().toString(),
                UUID.randomUUID().toString().substring(0, 6));
        assertEquals(0, run.exitCode(), run.output());
        for (String shot : new String[] {
            "signup-error.png",
            "tokens.png",
            "private-repository.png",
            "image.png",
            "search-signed-in.png",
            "audit.png",
            "stranger-not-found.png"
        }) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 1000, shot);
        }
    }

    /**
     * A repository's retention rules edited in Chromium (a refused rule, a saved one), previewed,
     * applied and removed, and refused to a stranger; a user's and an organisation's rules on their
     * pages, for them alone (e2e/retention.mjs); then the registry's tags
     * say the same: the rules removed the tag {@code old} and nothing else.
     */
    @Test
    void retentionRulesAreEditedPreviewedAndAppliedInTheBrowser() throws Exception {
        Platform platform = Platform.get();
        OciLayoutWriter first = new OciLayoutWriter(work.resolve("retention-first"));
        first.tag("v1", first.image("amd64", 1, 10_000));
        OciLayoutWriter second = new OciLayoutWriter(work.resolve("retention-second"));
        second.tag("v1", second.image("amd64", 1, 12_000));
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        Commands.Result run = Commands.attempt(
                Path.of("e2e").toAbsolutePath(),
                "node",
                "retention.mjs",
                "http://127.0.0.1:" + platform.portalPort,
                screenshots.toString(),
                platform.registry(),
                first.path().toString(),
                second.path().toString(),
                suffix);
        assertEquals(0, run.exitCode(), run.output());
        for (String shot : new String[] {
            "retention-refused.png", "retention.png", "retention-preview.png", "retention-namespace.png"
        }) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 1000, shot);
        }
        String repository = "keeper" + suffix + "/app";
        List<String> tags = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.bearer("keeper" + suffix, "a long enough password", repository))
                .get("/v2/" + repository + "/tags/list")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tags");
        assertEquals(List.of("new", "v1"), tags.stream().sorted().toList());
    }

    /** A form of too many fields is refused with a page (413), not a 500 and a stack trace; a long field is taken. */
    @Test
    void anOversizedFormIsRefusedWithAPageAndALongFieldIsTaken() {
        Platform platform = Platform.get();
        String portal = "http://127.0.0.1:" + platform.portalPort;
        StringBuilder fields = new StringBuilder("csrf=x");
        for (int i = 0; i < 1_001; i++) {
            fields.append("&f").append(i).append("=1");
        }
        RestAssured.given()
                .baseUri(portal)
                .redirects()
                .follow(false)
                .contentType("application/x-www-form-urlencoded")
                .body(fields.toString())
                .post("/login")
                .then()
                .statusCode(413)
                .body(containsString("more fields than the portal takes"));
        // a README-sized field reaches the handler, whose CSRF check refuses this one
        RestAssured.given()
                .baseUri(portal)
                .redirects()
                .follow(false)
                .contentType("application/x-www-form-urlencoded")
                .body("csrf=x&readme=" + "a".repeat(90_000))
                .post("/r/library/anything/settings")
                .then()
                .statusCode(403);
    }

    @Test
    void aFormWithoutTheVisitorsCsrfTokenChangesNothing() {
        Platform platform = Platform.get();
        String portal = "http://127.0.0.1:" + platform.portalPort;
        String user = "csrf" + UUID.randomUUID().toString().substring(0, 6);
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .contentType("application/json")
                .body(java.util.Map.of("username", user, "password", "a long enough password"))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        var loginPage = RestAssured.given().baseUri(portal).get("/login");
        String csrfCookie = loginPage.cookie("drydock_csrf");
        String field = loginPage.htmlPath().getString("**.find { it.@name == 'csrf' }.@value");
        assertEquals(csrfCookie, field, "the login form does not carry the visitor's CSRF token");
        // a login form posted from elsewhere (no CSRF cookie) is refused
        RestAssured.given()
                .baseUri(portal)
                .redirects()
                .follow(false)
                .formParam("csrf", field)
                .formParam("username", user)
                .formParam("password", "a long enough password")
                .post("/login")
                .then()
                .statusCode(403);
        String session = RestAssured.given()
                .baseUri(portal)
                .redirects()
                .follow(false)
                .cookie("drydock_csrf", csrfCookie)
                .formParam("csrf", field)
                .formParam("username", user)
                .formParam("password", "a long enough password")
                .post("/login")
                .then()
                .statusCode(303)
                .extract()
                .cookie("drydock_session");
        String organization = "csrforg" + UUID.randomUUID().toString().substring(0, 6);
        RestAssured.given()
                .baseUri(portal)
                .redirects()
                .follow(false)
                .cookie("drydock_session", session)
                .formParam("name", organization)
                .post("/orgs/new")
                .then()
                .statusCode(403);
        RestAssured.given()
                .baseUri(portal)
                .redirects()
                .follow(false)
                .cookie("drydock_session", session)
                .formParam("csrf", field)
                .formParam("name", organization)
                .post("/orgs/new")
                .then()
                .statusCode(403);
        // the organisation was not created: its name is still free
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(user, "a long enough password")
                .contentType("application/json")
                .body(java.util.Map.of("name", organization))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
    }
}
