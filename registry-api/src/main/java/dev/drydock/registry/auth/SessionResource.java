package dev.drydock.registry.auth;

import dev.drydock.events.Event;
import dev.drydock.events.IdentityEvents;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import io.agroal.api.AgroalDataSource;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/sessions}: sign in with a password for an access token and a refresh token (the
 * portal's session); sign out revokes the refresh token and with it the session's access tokens.
 */
@Path("/api/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    private final SignIn signIn;
    private final RegistryTokens tokens;
    private final RefreshTokens refreshTokens;
    private final RegistryConfig config;
    private final AgroalDataSource dataSource;
    private final RevokedTokens revoked;

    SessionResource(
            SignIn signIn,
            RegistryTokens tokens,
            RefreshTokens refreshTokens,
            RegistryConfig config,
            AgroalDataSource dataSource,
            RevokedTokens revoked) {
        this.revoked = revoked;
        this.signIn = signIn;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.config = config;
        this.dataSource = dataSource;
    }

    public record Credentials(String username, String password) {}

    public record SignOut(String refreshToken) {}

    @POST
    public Map<String, Object> signIn(Credentials request, @Context HttpServerRequest http) throws SQLException {
        if (request == null || request.username() == null || request.password() == null) {
            throw new IdentityException(400, "username and password are required.");
        }
        Principal principal = signIn.credentials(request.username(), request.password(), Actors.of(http));
        Instant expiresAt = Instant.now().plus(config.tokenLifetime());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", principal.username());
        RefreshTokens.Issued session = refreshTokens.issue(principal, config.refreshTokenLifetime(), true);
        body.put(
                "accessToken", tokens.issueSession(principal.username(), principal.tokenId(), session.id(), expiresAt));
        body.put("expiresAt", expiresAt);
        body.put("refreshToken", session.secret());
        signIn.loggedIn(
                principal,
                principal.tokenId() == null ? "password" : "token",
                Actors.of(
                        http,
                        principal.username(),
                        principal.tokenId() == null ? null : principal.tokenId().toString()));
        return body;
    }

    @DELETE
    public Response signOut(SignOut request, @Context HttpServerRequest http) throws SQLException {
        if (request == null || request.refreshToken() == null) {
            throw new IdentityException(400, "refreshToken is required.");
        }
        RefreshTokens.Revoked ended = refreshTokens
                .revoke(request.refreshToken())
                .orElseThrow(() -> new IdentityException(404, "There is no such live session."));
        revoked.sessionEndedHere(ended.id());
        String username = ended.username();
        Outbox.append(
                dataSource,
                Event.of(DomainEvents.SOURCE, Actors.of(http, username, null), new IdentityEvents.LoggedOut(username)));
        return Response.noContent().build();
    }
}
