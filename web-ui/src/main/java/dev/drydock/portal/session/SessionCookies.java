package dev.drydock.portal.session;

import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * The portal's cookies: the session id and, for visitors not signed in, the CSRF token of their
 * forms. Both HttpOnly and SameSite, Secure when the portal is reached over TLS.
 */
public class SessionCookies {

    static final String SESSION = "drydock_session";
    static final String CSRF = "drydock_csrf";

    @Inject
    Visitor visitor;

    @ServerRequestFilter
    void arrive(ContainerRequestContext request, HttpServerRequest http) {
        Cookie session = request.getCookies().get(SESSION);
        Cookie csrf = request.getCookies().get(CSRF);
        boolean secure = "https".equals(http.scheme()) || "https".equalsIgnoreCase(http.getHeader("X-Forwarded-Proto"));
        visitor.arrive(
                session == null || session.getValue().isEmpty() ? null : session.getValue(),
                http.remoteAddress() == null ? null : http.remoteAddress().hostAddress(),
                request.getHeaderString(HttpHeaders.USER_AGENT),
                csrf == null ? null : csrf.getValue(),
                secure);
    }

    @ServerResponseFilter
    void leave(ContainerResponseContext response) {
        visitor.newSessionCookie()
                .ifPresent(value -> response.getHeaders()
                        .add(HttpHeaders.SET_COOKIE, cookie(SESSION, value, -1, NewCookie.SameSite.LAX)));
        if (visitor.sessionCookieCleared()) {
            response.getHeaders().add(HttpHeaders.SET_COOKIE, cookie(SESSION, "", 0, NewCookie.SameSite.LAX));
        }
        visitor.newCsrfCookie()
                .ifPresent(value -> response.getHeaders()
                        .add(HttpHeaders.SET_COOKIE, cookie(CSRF, value, -1, NewCookie.SameSite.STRICT)));
        response.getHeaders().putSingle("X-Frame-Options", "DENY");
        response.getHeaders().putSingle("X-Content-Type-Options", "nosniff");
        response.getHeaders().putSingle("Referrer-Policy", "same-origin");
        response.getHeaders()
                .putSingle(
                        "Content-Security-Policy",
                        "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'");
    }

    private NewCookie cookie(String name, String value, int maxAge, NewCookie.SameSite sameSite) {
        return new NewCookie.Builder(name)
                .value(value)
                .path("/")
                .httpOnly(true)
                .secure(visitor.secure())
                .sameSite(sameSite)
                .maxAge(maxAge)
                .build();
    }
}
