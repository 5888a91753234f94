package dev.drydock.registry.identity;

import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.auth.RevokedTokens;
import dev.drydock.registry.frontdoor.Actors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code /api/v1/tokens}: the caller's personal access tokens; the secret is in the creation answer only. */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokensResource {

    private final PersonalAccessTokens tokens;
    private final Callers callers;
    private final RevokedTokens revoked;

    TokensResource(PersonalAccessTokens tokens, Callers callers, RevokedTokens revoked) {
        this.tokens = tokens;
        this.callers = callers;
        this.revoked = revoked;
    }

    public record NewToken(String name, String scope, Instant expiresAt) {}

    @POST
    public Response create(NewToken request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, false);
        if (request == null) {
            throw new IdentityException(400, "A JSON body with name and scope is required.");
        }
        PersonalAccessTokens.Created created = tokens.create(
                caller.account(),
                request.name(),
                request.scope(),
                request.expiresAt(),
                Actors.of(http, caller.username(), null));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", created.token().id());
        body.put("name", created.token().name());
        body.put("scope", created.token().scope());
        body.put("createdAt", created.token().createdAt());
        body.put("expiresAt", created.token().expiresAt());
        body.put("token", created.secret());
        return Response.status(201).entity(body).build();
    }

    @GET
    public List<PersonalAccessTokens.TokenInfo> list(@Context HttpServerRequest http) throws SQLException {
        return tokens.list(callers.require(http, false).account());
    }

    @DELETE
    @Path("/{id}")
    public Response revoke(@PathParam("id") String id, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, false);
        UUID tokenId;
        try {
            tokenId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new IdentityException(404, "There is no such token.");
        }
        if (!tokens.revoke(caller.account(), tokenId, Actors.of(http, caller.username(), null))) {
            throw new IdentityException(404, "There is no such live token.");
        }
        revoked.revokedHere(tokenId);
        return Response.noContent().build();
    }
}
