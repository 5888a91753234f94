package dev.drydock.registry.identity;

import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.Map;

/** {@code /api/v1/users}: sign up, and who am I (with my organisations). */
@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource {

    private final Accounts accounts;
    private final Callers callers;
    private final Organizations organizations;

    UserResource(Accounts accounts, Callers callers, Organizations organizations) {
        this.accounts = accounts;
        this.callers = callers;
        this.organizations = organizations;
    }

    public record SignUp(String username, String password) {}

    @POST
    public Response signUp(SignUp request, @Context HttpServerRequest http) {
        if (request == null) {
            throw new IdentityException(400, "A JSON body with username and password is required.");
        }
        Account account = accounts.register(request.username(), request.password(), Actors.of(http));
        return Response.created(URI.create("/api/v1/users/" + account.username()))
                .entity(Map.of("username", account.username()))
                .build();
    }

    @GET
    @Path("/me")
    public Map<String, Object> me(@Context HttpServerRequest http) throws SQLException {
        Principal principal = callers.require(http, true);
        return Map.of(
                "username",
                principal.username(),
                "admin",
                principal.account().admin(),
                "organizations",
                organizations.membershipsOf(principal.account().id()));
    }
}
