package dev.drydock.registry.auth;

import dev.drydock.oci.token.Revocations;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The personal access tokens and sign-ins revoked or expired in the last day, for layer-store and
 * audit-service, which refuse tokens derived from them within a second as this service does. Ids
 * only: an id is no credential.
 */
@Path(Revocations.PATH)
public class RevocationsResource {

    private final RevokedTokens revoked;

    RevocationsResource(RevokedTokens revoked) {
        this.revoked = revoked;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Set<UUID>> list() {
        return Map.of("tokens", revoked.tokens(), "sessions", revoked.sessions());
    }
}
