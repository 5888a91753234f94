package dev.drydock.portal.session;

import java.time.Instant;

/** A signed-in browser: its user, its CSRF token and the platform tokens it acts with. */
public record Session(String idHash, String username, String csrfToken, String accessToken, Instant accessExpires,
                      String refreshToken, Instant expiresAt) {
}
