package dev.drydock.portal.session;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** Signing in, up and out, and the tokens a session lives on; sent with the visitor's address only. */
@RegisterRestClient(configKey = "front-door")
@RegisterClientHeaders(VisitorAddress.class)
public interface SignInClient {

    record SessionTokens(String username, String accessToken, Instant expiresAt, String refreshToken) {}

    record TokenGrant(String token, long expires_in) {}

    @POST
    @Path("/api/v1/sessions")
    @Consumes(MediaType.APPLICATION_JSON)
    SessionTokens signIn(Map<String, String> credentials);

    @DELETE
    @Path("/api/v1/sessions")
    @Consumes(MediaType.APPLICATION_JSON)
    void signOut(Map<String, String> refreshToken);

    @POST
    @Path("/api/v1/users")
    @Consumes(MediaType.APPLICATION_JSON)
    void signUp(Map<String, String> account);

    /** A registry token for {@code scope} (none: the user's own access token) from the session's refresh token. */
    @POST
    @Path("/token")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    TokenGrant refresh(
            @FormParam("grant_type") String grantType,
            @FormParam("refresh_token") String refreshToken,
            @FormParam("service") String service,
            @FormParam("scope") String scope);

    /** An anonymous registry token: pull of public repositories. */
    @GET
    @Path("/token")
    TokenGrant anonymous(@QueryParam("service") String service, @QueryParam("scope") String scope);
}
