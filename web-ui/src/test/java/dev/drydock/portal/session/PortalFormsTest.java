package dev.drydock.portal.session;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The portal's own handling of forms, CSRF tokens and sessions, on the test PostgreSQL, against a
 * stand-in for the front door's sign-in API ({@link FrontDoorStandIn}). The whole stack, with the
 * real front door and a browser, is PortalIT's.
 */
@QuarkusTest
class PortalFormsTest {

    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @Inject
    AgroalDataSource dataSource;

    /** An anonymous visitor's sign-in form: its CSRF cookie and the token the form carries. */
    private record Form(String csrfCookie, String csrf) {}

    private static Form anonymousForm(String path) {
        Response page = RestAssured.given().redirects().follow(false).get(path);
        page.then().statusCode(200);
        String cookie = page.getCookie(SessionCookies.CSRF);
        assertNotNull(cookie, "a form page without a CSRF cookie");
        return new Form(cookie, csrfIn(page.asString()));
    }

    private static String csrfIn(String html) {
        Matcher field = CSRF_FIELD.matcher(html);
        assertTrue(field.find(), "a form without its CSRF token");
        return field.group(1);
    }

    private static Response signIn(Form form, String username, String password, String next) {
        return RestAssured.given()
                .redirects()
                .follow(false)
                .cookie(SessionCookies.CSRF, form.csrfCookie())
                .formParam("csrf", form.csrf())
                .formParam("username", username)
                .formParam("password", password)
                .formParam("next", next)
                .post("/login");
    }

    @Test
    void theFormsTokenMatchesItsCookieAndBothAreHttpOnlyAndSameSite() {
        Response page = RestAssured.given().get("/login");
        String setCookie = page.getHeaders().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(SessionCookies.CSRF + "="))
                .findFirst()
                .orElseThrow();
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
        assertEquals(page.getCookie(SessionCookies.CSRF), csrfIn(page.asString()));
        assertEquals("DENY", page.getHeader("X-Frame-Options"));
    }

    @Test
    void aSignInWithoutTheFormsTokenIsRefusedAndOpensNoSession() throws SQLException {
        long before = sessions();
        Form form = anonymousForm("/login");
        for (String csrf : new String[] {null, "", "not-the-token", form.csrf() + "x"}) {
            var request = RestAssured.given()
                    .redirects()
                    .follow(false)
                    .cookie(SessionCookies.CSRF, form.csrfCookie())
                    .formParam("username", FrontDoorStandIn.USERNAME)
                    .formParam("password", FrontDoorStandIn.PASSWORD);
            if (csrf != null) {
                request.formParam("csrf", csrf);
            }
            Response refused = request.post("/login");
            assertEquals(403, refused.statusCode(), "csrf " + csrf);
            assertFalse(refused.getHeaders().getValues("Set-Cookie").stream()
                    .anyMatch(c -> c.startsWith(SessionCookies.SESSION + "=")
                            && !c.startsWith(SessionCookies.SESSION + "=;")));
        }
        // a token that came with no cookie of its own is someone else's
        RestAssured.given()
                .redirects()
                .follow(false)
                .formParam("csrf", form.csrf())
                .formParam("username", FrontDoorStandIn.USERNAME)
                .formParam("password", FrontDoorStandIn.PASSWORD)
                .post("/login")
                .then()
                .statusCode(403);
        assertEquals(before, sessions());
    }

    @Test
    void aWrongPasswordShowsTheFormAgainWithTheMessageBesideThePassword() throws SQLException {
        long before = sessions();
        Response wrong = signIn(anonymousForm("/login"), FrontDoorStandIn.USERNAME, "not the password", "/");
        wrong.then()
                .statusCode(401)
                .body(containsString("The username or password is wrong."))
                .body(containsString("value=\"" + FrontDoorStandIn.USERNAME + "\""))
                .body(not(containsString("not the password")));
        assertEquals(before, sessions());
    }

    @Test
    void aSessionKeepsTheVisitorSignedInUsesItsOwnCsrfTokenAndEndsAtSignOut() throws SQLException {
        Set<String> refreshBefore = Set.copyOf(FrontDoorStandIn.ISSUED_REFRESH);
        Response signedIn = signIn(
                anonymousForm("/login"), FrontDoorStandIn.USERNAME, FrontDoorStandIn.PASSWORD, "/settings/tokens");
        signedIn.then().statusCode(303).header("Location", containsString("/settings/tokens"));
        String session = signedIn.getCookie(SessionCookies.SESSION);
        assertNotNull(session);
        String setCookie = signedIn.getHeaders().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(SessionCookies.SESSION + "="))
                .findFirst()
                .orElseThrow();
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"), setCookie);
        Set<String> issued = new HashSet<>(FrontDoorStandIn.ISSUED_REFRESH);
        issued.removeAll(refreshBefore);
        assertEquals(1, issued.size(), "this sign-in's refresh token");
        String refresh = issued.iterator().next();
        // the cookie is not a platform token, and the database keeps none in clear
        assertFalse(FrontDoorStandIn.LIVE_ACCESS.containsKey(session));
        assertEquals(0, rowsHolding(session));
        assertEquals(0, rowsHolding(refresh));
        for (String access : FrontDoorStandIn.LIVE_ACCESS.keySet()) {
            assertEquals(0, rowsHolding(access));
        }

        Response tokens = RestAssured.given()
                .redirects()
                .follow(false)
                .cookie(SessionCookies.SESSION, session)
                .get("/settings/tokens");
        tokens.then().statusCode(200);
        String sessionCsrf = csrfIn(tokens.asString());

        // signing out needs the session's own token; an anonymous form's is refused
        Form anonymous = anonymousForm("/login");
        RestAssured.given()
                .redirects()
                .follow(false)
                .cookie(SessionCookies.SESSION, session)
                .cookie(SessionCookies.CSRF, anonymous.csrfCookie())
                .formParam("csrf", anonymous.csrf())
                .post("/logout")
                .then()
                .statusCode(403);
        assertFalse(FrontDoorStandIn.REVOKED_REFRESH.contains(refresh), "revoked by a refused sign-out");
        RestAssured.given()
                .redirects()
                .follow(false)
                .cookie(SessionCookies.SESSION, session)
                .formParam("csrf", sessionCsrf)
                .post("/logout")
                .then()
                .statusCode(303)
                .header("Location", containsString("/"));
        assertTrue(
                FrontDoorStandIn.REVOKED_REFRESH.contains(refresh),
                "sign-out did not send this session's refresh token, unsealed, to be revoked");

        // the old cookie opens nothing any more, and is cleared
        Response after = RestAssured.given()
                .redirects()
                .follow(false)
                .cookie(SessionCookies.SESSION, session)
                .get("/settings/tokens");
        after.then().statusCode(303).header("Location", containsString("/login"));
        assertTrue(after.getHeaders().getValues("Set-Cookie").stream()
                .anyMatch(c -> c.startsWith(SessionCookies.SESSION + "=;") || c.contains("Max-Age=0")));
    }

    @Test
    void aSignInSendsTheVisitorOnlyToAPathOfThisSite() {
        for (String next :
                new String[] {"//elsewhere.example/", "https://elsewhere.example/", "/\\elsewhere.example", "/a b"}) {
            signIn(anonymousForm("/login"), FrontDoorStandIn.USERNAME, FrontDoorStandIn.PASSWORD, next)
                    .then()
                    .statusCode(303)
                    .header("Location", not(containsString("elsewhere")))
                    .header("Location", not(containsString(" ")));
        }
    }

    @Test
    void aTakenNameShowsTheConflictBesideTheUsernameAndAFreeOneSignsIn() {
        Form form = anonymousForm("/signup");
        RestAssured.given()
                .redirects()
                .follow(false)
                .cookie(SessionCookies.CSRF, form.csrfCookie())
                .formParam("csrf", form.csrf())
                .formParam("username", FrontDoorStandIn.TAKEN)
                .formParam("password", FrontDoorStandIn.PASSWORD)
                .post("/signup")
                .then()
                .statusCode(409)
                .body(containsString("The name taken is taken."));
        String name = "u" + UUID.randomUUID().toString().substring(0, 8);
        Response created = RestAssured.given()
                .redirects()
                .follow(false)
                .cookie(SessionCookies.CSRF, form.csrfCookie())
                .formParam("csrf", form.csrf())
                .formParam("username", name)
                .formParam("password", FrontDoorStandIn.PASSWORD)
                .post("/signup");
        created.then().statusCode(303).header("Location", containsString("/u/" + name));
        assertNotNull(created.getCookie(SessionCookies.SESSION));
    }

    private long sessions() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT count(*) FROM portal_session");
                ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows of the session table with the value anywhere in them, in clear. */
    private long rowsHolding(String value) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT count(*) FROM portal_session s WHERE strpos(s::text, ?) > 0")) {
            select.setString(1, value);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
