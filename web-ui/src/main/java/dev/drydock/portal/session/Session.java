package dev.drydock.portal.session;

import java.time.Instant;

/**
 * A signed-in browser: its cookie (the key to its row and to its sealed tokens; kept only in
 * memory), its user, its CSRF token and the platform tokens it acts with.
 */
public record Session(
        String cookie,
        String username,
        String csrfToken,
        String accessToken,
        Instant accessExpires,
        String refreshToken,
        Instant expiresAt) {

    String idHash() {
        return SessionSeal.idHash(cookie);
    }

    @Override
    public String toString() {
        return "Session[" + username + "]";
    }
}
