package dev.drydock.registry.auth;

import dev.drydock.oci.token.Revocations;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

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

    /** 503 when this instance could not read the lists lately: readers then keep failing closed. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        if (revoked.stale()) {
            return Response.status(503).build();
        }
        return Response.ok(Map.of("tokens", revoked.tokens(), "sessions", revoked.sessions()))
                .build();
    }
}
