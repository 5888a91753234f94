package dev.drydock.portal.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The part of the front door's API the portal signs in, up and out with, as the test application
 * serves it to itself: one account ({@link #USERNAME}, {@link #PASSWORD}), a taken name, and the
 * tokens it handed out and revoked, for the tests to check what the portal sent.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FrontDoorStandIn {

    static final String USERNAME = "alice";
    static final String PASSWORD = "the right password";
    static final String TAKEN = "taken";

    /** Access token → username, for the tokens handed out. */
    static final Map<String, String> LIVE_ACCESS = new ConcurrentHashMap<>();

    /** Refresh tokens handed out, and those the portal sent back to revoke. */
    static final Set<String> ISSUED_REFRESH = ConcurrentHashMap.newKeySet();

    static final Set<String> REVOKED_REFRESH = ConcurrentHashMap.newKeySet();
    static final Set<String> SIGNED_UP = ConcurrentHashMap.newKeySet();

    // JSON by hand: the portal serves no JSON of its own, and the stand-in must not add that to it
    private static final ObjectMapper JSON = new ObjectMapper();

    @POST
    @Path("/sessions")
    public Response signIn(String body) throws IOException {
        Map<String, String> credentials = read(body);
        String username = credentials.get("username");
        if (!PASSWORD.equals(credentials.get("password"))
                || !(USERNAME.equals(username) || SIGNED_UP.contains(username))) {
            return problem(401, "incorrect user name, password or token", null);
        }
        String access = "access-" + UUID.randomUUID();
        String refresh = "refresh-" + UUID.randomUUID();
        LIVE_ACCESS.put(access, username);
        ISSUED_REFRESH.add(refresh);
        return json(
                201,
                Map.of(
                        "username",
                        username,
                        "accessToken",
                        access,
                        "expiresAt",
                        Instant.now().plus(Duration.ofMinutes(5)).toString(),
                        "refreshToken",
                        refresh));
    }

    @DELETE
    @Path("/sessions")
    public Response signOut(String body) throws IOException {
        REVOKED_REFRESH.add(read(body).get("refreshToken"));
        return Response.noContent().build();
    }

    @POST
    @Path("/users")
    public Response signUp(String body) throws IOException {
        String username = read(body).get("username");
        if (TAKEN.equals(username)) {
            return problem(409, "The name taken is taken.", "username");
        }
        SIGNED_UP.add(username);
        return json(201, Map.of("username", username));
    }

    @GET
    @Path("/users/me")
    public Response me(@HeaderParam("Authorization") String authorization) {
        String user = user(authorization);
        return user == null
                ? problem(401, "sign in first", null)
                : json(200, Map.of("username", user, "admin", false, "organizations", List.of()));
    }

    @GET
    @Path("/tokens")
    public Response tokens(@HeaderParam("Authorization") String authorization) {
        return user(authorization) == null ? problem(401, "sign in first", null) : json(200, List.of());
    }

    private static String user(String authorization) {
        return authorization == null || !authorization.startsWith("Bearer ")
                ? null
                : LIVE_ACCESS.get(authorization.substring("Bearer ".length()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> read(String body) throws IOException {
        return JSON.readValue(body, Map.class);
    }

    private static Response problem(int status, String detail, String field) {
        Map<String, Object> body = field == null
                ? Map.of("status", status, "detail", detail)
                : Map.of("status", status, "detail", detail, "field", field);
        return Response.status(status)
                .type("application/problem+json")
                .entity(write(body))
                .build();
    }

    private static Response json(int status, Object body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(write(body))
                .build();
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
