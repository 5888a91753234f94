package dev.drydock.portal.session;

import dev.drydock.portal.FrontDoor;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import jakarta.ws.rs.ForbiddenException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who is looking at the page: signed in (a {@link Session}) or not, from which address, and the
 * CSRF token every form of theirs carries. Pages read it as {@code inject:visitor}.
 */
@RequestScoped
@Named("visitor")
public class Visitor {

    private final Sessions sessions;
    private String sessionCookie;
    private boolean loaded;
    private Session session;
    private String address;
    private String userAgent;
    private String anonymousCsrf;
    private boolean csrfCookieIsNew;
    private boolean secure;
    private FrontDoor.Me me;

    Visitor(Sessions sessions) {
        this.sessions = sessions;
    }

    private String setSessionCookie;
    private boolean clearSessionCookie;

    void arrive(String sessionCookie, String address, String userAgent, String csrfCookie, boolean secure) {
        this.sessionCookie = sessionCookie;
        this.address = address;
        this.userAgent = userAgent;
        this.anonymousCsrf = csrfCookie;
        this.secure = secure;
    }

    public boolean signedIn() {
        return session() != null;
    }

    public String username() {
        return session() == null ? "" : session.username();
    }

    public String address() {
        return address;
    }

    public String userAgent() {
        return userAgent;
    }

    boolean secure() {
        return secure;
    }

    /** The visitor's session, looked up once per request (on a worker thread: it reads the database). */
    Session session() {
        if (!loaded) {
            loaded = true;
            if (sessionCookie != null) {
                try {
                    session = sessions.find(sessionCookie).orElse(null);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot read the session", e);
                }
                clearSessionCookie = session == null;
            }
        }
        return session;
    }

    void signedIn(Sessions.Opened opened) {
        loaded = true;
        session = opened.session();
        setSessionCookie = opened.cookieValue();
        clearSessionCookie = false;
        me = null;
    }

    void signedOut() {
        loaded = true;
        session = null;
        setSessionCookie = null;
        clearSessionCookie = true;
        me = null;
    }

    /** A session cookie the response must set (this request signed in). */
    Optional<String> newSessionCookie() {
        return Optional.ofNullable(setSessionCookie);
    }

    /** Whether the response must clear the session cookie (signed out, or the session had ended). */
    boolean sessionCookieCleared() {
        return setSessionCookie == null && clearSessionCookie;
    }

    /** The session's access token, renewed when it is about to expire; empty for anonymous visitors. */
    public Optional<String> accessToken() {
        if (session() == null) {
            return Optional.empty();
        }
        Optional<Session> current = sessions.current(session);
        session = current.orElse(null);
        return current.map(Session::accessToken);
    }

    /** A registry token for {@code scope}: the session's when signed in, else an anonymous one. */
    public String registryToken(String scope) {
        return sessions.registryToken(session(), scope);
    }

    /** The signed-in user's account and organisations, asked once per request. */
    public FrontDoor.Me me(Supplier<FrontDoor.Me> ask) {
        if (me == null && session() != null) {
            me = ask.get();
        }
        return me;
    }

    /** The token the visitor's forms carry: the session's, or for an anonymous visitor that of their CSRF cookie. */
    public String csrf() {
        if (session() != null) {
            return session.csrfToken();
        }
        if (anonymousCsrf == null) {
            anonymousCsrf = Sessions.randomToken();
            csrfCookieIsNew = true;
        }
        return anonymousCsrf;
    }

    /** A CSRF cookie that the response must set, if this request made one. */
    Optional<String> newCsrfCookie() {
        return csrfCookieIsNew ? Optional.of(anonymousCsrf) : Optional.empty();
    }

    /** @throws ForbiddenException unless the form carried this visitor's CSRF token */
    public void checkCsrf(String submitted) {
        String expected = session() != null ? session.csrfToken() : anonymousCsrf;
        if (submitted == null
                || expected == null
                || !MessageDigest.isEqual(
                        submitted.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new ForbiddenException(
                    "The form has expired or did not come from this site. Reload the page and try again.");
        }
    }
}
