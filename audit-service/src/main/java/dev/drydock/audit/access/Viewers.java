package dev.drydock.audit.access;

import dev.drydock.audit.AuditConfig;
import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.Revocations;
import dev.drydock.oci.token.TokenVerifier;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotAuthorizedException;

/**
 * Turns the {@code Authorization} header the front door sends into a {@link Viewer}. Every request
 * needs a viewer token — registry, redirect and session tokens are refused — and one minted for a
 * personal access token since revoked is refused within a second; without one, or with one that
 * does not verify, the answer is 401.
 */
@ApplicationScoped
public class Viewers {

    private final TokenVerifier verifier;
    private final Revocations revocations;

    Viewers(AuditConfig config) {
        this.verifier = new TokenVerifier(config.jwksUrl(), config.tokenService());
        this.revocations = new Revocations(config.jwksUrl().resolve("/"));
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshRevocations() {
        revocations.refresh();
    }

    public Viewer of(String authorization) {
        String bearer = Bearer.token(authorization)
                .orElseThrow(
                        () -> new NotAuthorizedException("the read API is reached through the front door", "Bearer"));
        return verifier.verify(bearer)
                .filter(token -> token.purpose() == RegistryToken.Purpose.VIEWER && revocations.allows(token))
                .map(Viewer::of)
                .orElseThrow(
                        () -> new NotAuthorizedException("the viewer token is invalid, expired or revoked", "Bearer"));
    }
}
