package dev.drydock.audit.access;

import dev.drydock.audit.AuditConfig;
import dev.drydock.oci.token.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotAuthorizedException;

/**
 * Turns the {@code Authorization} header the front door sends into a {@link Viewer}. Every request
 * needs a viewer token; without one, or with one that does not verify, the answer is 401.
 */
@ApplicationScoped
public class Viewers {

    private final TokenVerifier verifier;

    Viewers(AuditConfig config) {
        this.verifier = new TokenVerifier(config.jwksUrl(), config.tokenService());
    }

    public Viewer of(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new NotAuthorizedException("the read API is reached through the front door", "Bearer");
        }
        return verifier.verify(authorization.substring(7).trim()).map(Viewer::of)
                .orElseThrow(() -> new NotAuthorizedException("the viewer token is invalid or expired", "Bearer"));
    }
}
