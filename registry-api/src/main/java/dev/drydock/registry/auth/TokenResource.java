package dev.drydock.registry.auth;

import dev.drydock.events.Actor;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.frontdoor.Actors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The token endpoint of distribution's token authentication: {@code GET /token} with Basic
 * credentials (password or personal access token) or none, and the OAuth2 {@code POST /token}
 * with the password and refresh_token grants. The access granted is the intersection of what was
 * asked and what the caller may do; a request without scope is a login.
 */
@Path("/token")
@Produces(MediaType.APPLICATION_JSON)
public class TokenResource {

    /** A client asks for the one or two repositories of an operation; more than this is no client's. */
    static final int MAX_SCOPES = 100;

    private final SignIn signIn;
    private final Permissions permissions;
    private final RegistryTokens tokens;
    private final RefreshTokens refreshTokens;
    private final RegistryConfig config;

    TokenResource(
            SignIn signIn,
            Permissions permissions,
            RegistryTokens tokens,
            RefreshTokens refreshTokens,
            RegistryConfig config) {
        this.signIn = signIn;
        this.permissions = permissions;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.config = config;
    }

    @GET
    public Response get(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("service") String service,
            @QueryParam("scope") List<String> scopes,
            @QueryParam("offline_token") boolean offline,
            @Context HttpServerRequest request)
            throws SQLException {
        Principal principal = Principal.ANONYMOUS;
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            principal = signIn.basic(authorization, Actors.of(request));
        }
        // A scope may be repeated, or several may come space-separated in one (as a challenge names them).
        List<String> each = scopes.stream()
                .flatMap(scope -> Arrays.stream(scope.trim().split("\\s+")))
                .filter(scope -> !scope.isEmpty())
                .toList();
        return grant(principal, null, each, offline && !principal.isAnonymous(), method(principal), request);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response post(
            @FormParam("grant_type") String grantType,
            @FormParam("username") String username,
            @FormParam("password") String password,
            @FormParam("refresh_token") String refreshToken,
            @FormParam("scope") String scope,
            @FormParam("access_type") String accessType,
            @Context HttpServerRequest request)
            throws SQLException {
        List<String> scopes = scope == null || scope.isBlank()
                ? List.of()
                : Arrays.asList(scope.trim().split("\\s+"));
        if ("password".equals(grantType)) {
            if (username == null || password == null) {
                throw new AuthenticationFailed("the password grant needs username and password");
            }
            Principal principal = signIn.credentials(username, password, Actors.of(request));
            return grant(principal, null, scopes, "offline".equals(accessType), method(principal), request);
        }
        if ("refresh_token".equals(grantType)) {
            RefreshTokens.Redeemed redeemed = refreshToken == null
                    ? null
                    : refreshTokens.redeem(refreshToken).orElse(null);
            if (redeemed == null) {
                throw new AuthenticationFailed("the refresh token is unknown, expired or revoked");
            }
            if (scopes.isEmpty() && redeemed.portal()) {
                return renewedSession(redeemed);
            }
            return grant(redeemed.principal(), redeemed.id(), scopes, false, null, request);
        }
        return Response.status(400)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of(
                        "error",
                        "unsupported_grant_type",
                        "error_description",
                        "grant_type must be password or refresh_token"))
                .build();
    }

    /**
     * @param sessionId the refresh token redeemed, if any: the token ends with it
     * @param loginMethod when not null, the request is a login and is recorded as one
     */
    private Response grant(
            Principal principal,
            UUID sessionId,
            List<String> scopes,
            boolean offline,
            String loginMethod,
            HttpServerRequest request)
            throws SQLException {
        if (scopes.size() > MAX_SCOPES) {
            return Response.status(400)
                    .type(MediaType.APPLICATION_JSON)
                    .entity(Map.of(
                            "error",
                            "invalid_scope",
                            "error_description",
                            "at most " + MAX_SCOPES + " scopes per token"))
                    .build();
        }
        // taken before the first permission is read: access withdrawn after this moment ends the token
        Instant decided = Instant.now();
        List<RegistryToken.Access> access = new ArrayList<>();
        for (String scope : scopes) {
            RegistryToken.Access granted = grantOne(principal, scope);
            if (granted != null) {
                access.add(granted);
            }
        }
        Instant now = Instant.now();
        Instant expiresAt = now.plus(config.tokenLifetime());
        Map<String, Object> body = tokenBody(
                tokens.issue(
                        RegistryToken.Purpose.REGISTRY,
                        principal.username(),
                        principal.tokenId(),
                        sessionId,
                        access,
                        expiresAt,
                        decided),
                now);
        Actor actor = Actors.of(
                request,
                principal.username(),
                principal.tokenId() == null ? null : principal.tokenId().toString());
        if (offline) {
            body.put(
                    "refresh_token",
                    refreshTokens
                            .issue(principal, config.refreshTokenLifetime(), false)
                            .secret());
        }
        if (loginMethod != null && (offline || scopes.isEmpty())) {
            signIn.loggedIn(principal, loginMethod, actor);
        }
        return Response.ok(body).header("Cache-Control", "no-store").build();
    }

    /**
     * A portal sign-in's refresh without scope renews the sign-in itself (the portal keeps its
     * session so): a session token, which grants no repository access and ends with the refresh
     * token. A client's offline refresh token never yields one: it is kept in files like
     * {@code ~/.docker/config.json}, and must not open the account.
     */
    private Response renewedSession(RefreshTokens.Redeemed redeemed) {
        Instant now = Instant.now();
        Principal principal = redeemed.principal();
        return Response.ok(tokenBody(
                        tokens.issueSession(
                                principal.username(),
                                principal.tokenId(),
                                redeemed.id(),
                                now.plus(config.tokenLifetime())),
                        now))
                .header("Cache-Control", "no-store")
                .build();
    }

    /** The token answer as Docker's and OAuth2's clients read it. */
    private Map<String, Object> tokenBody(String token, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token);
        body.put("access_token", token);
        body.put("expires_in", config.tokenLifetime().toSeconds());
        body.put("issued_at", now.toString());
        return body;
    }

    /** {@code repository:<name>:<actions>}; unknown types and malformed names are granted nothing. */
    private RegistryToken.Access grantOne(Principal principal, String scope) throws SQLException {
        String[] parts = scope.split(":");
        if (parts.length != 3) {
            return null;
        }
        if (parts[0].equals("registry") && parts[1].equals("catalog")) {
            return new RegistryToken.Access("registry", "catalog", List.of("*"));
        }
        if (!parts[0].equals("repository")) {
            return null;
        }
        RepositoryName name;
        try {
            name = RepositoryName.parse(parts[1]);
        } catch (OciException e) {
            return null;
        }
        Set<Action> allowed = permissions.granted(principal, name);
        List<String> granted = new ArrayList<>();
        for (String requested : parts[2].split(",")) {
            boolean all = requested.equals("*");
            for (Action action : Action.values()) {
                if ((all || action.scopeName().equals(requested))
                        && allowed.contains(action)
                        && !granted.contains(action.scopeName())) {
                    granted.add(action.scopeName());
                }
            }
        }
        return new RegistryToken.Access("repository", name.value(), granted);
    }

    private static String method(Principal principal) {
        if (principal.isAnonymous()) {
            return null;
        }
        return principal.tokenId() == null ? "password" : "token";
    }
}
