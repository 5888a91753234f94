package dev.drydock.registry.identity;

import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/organizations}: create one, and manage its members and their roles. */
@Path("/api/v1/organizations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OrganizationResource {

    private final Organizations organizations;
    private final Callers callers;

    OrganizationResource(Organizations organizations, Callers callers) {
        this.organizations = organizations;
        this.callers = callers;
    }

    public record NewOrganization(String name) {}

    public record Membership(String role) {}

    @POST
    public Response create(NewOrganization request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, false);
        if (request == null) {
            throw new IdentityException(400, "A JSON body with the organisation's name is required.", "name");
        }
        organizations.create(request.name(), caller.account(), Actors.of(http, caller.username(), null));
        return Response.created(URI.create("/api/v1/organizations/" + request.name()))
                .entity(Map.of("name", request.name()))
                .build();
    }

    @GET
    @Path("/{organization}/members")
    public List<Organizations.Member> members(
            @PathParam("organization") String organization, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        if (!caller.account().admin()
                && organizations.roleOf(organization, caller.account().id()).isEmpty()) {
            throw new IdentityException(404, "There is no organisation " + organization + " you belong to.");
        }
        return organizations.members(organization);
    }

    public record TeamDefinition(String role, List<String> repositories, List<String> members) {}

    @GET
    @Path("/{organization}/teams")
    public List<Organizations.Team> teams(
            @PathParam("organization") String organization, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        if (!caller.account().admin()
                && organizations.roleOf(organization, caller.account().id()).isEmpty()) {
            throw new IdentityException(404, "There is no organisation " + organization + " you belong to.");
        }
        return organizations.teams(organization);
    }

    /** Creates or replaces a team; organisation admins only. */
    @PUT
    @Path("/{organization}/teams/{team}")
    public Response putTeam(
            @PathParam("organization") String organization,
            @PathParam("team") String team,
            TeamDefinition request,
            @Context HttpServerRequest http)
            throws SQLException {
        Principal caller = requireAdmin(organization, http);
        if (request == null) {
            throw new IdentityException(400, "A JSON body with the team's role is required.", "role");
        }
        organizations.putTeam(
                organization,
                new Organizations.Team(
                        team, Role.parse(request.role()).orElse(null), request.repositories(), request.members()),
                Actors.of(http, caller.username(), null));
        return Response.noContent().build();
    }

    @PUT
    @Path("/{organization}/members/{username}")
    public Response setMember(
            @PathParam("organization") String organization,
            @PathParam("username") String username,
            Membership request,
            @Context HttpServerRequest http)
            throws SQLException {
        Principal caller = requireAdmin(organization, http);
        organizations.setMember(
                organization,
                username,
                request == null ? null : request.role(),
                Actors.of(http, caller.username(), null));
        return Response.noContent().build();
    }

    @DELETE
    @Path("/{organization}/members/{username}")
    public Response removeMember(
            @PathParam("organization") String organization,
            @PathParam("username") String username,
            @Context HttpServerRequest http)
            throws SQLException {
        Principal caller = requireAdmin(organization, http);
        if (!organizations.removeMember(organization, username, Actors.of(http, caller.username(), null))) {
            throw new IdentityException(404, username + " is not a member of " + organization + ".");
        }
        return Response.noContent().build();
    }

    private Principal requireAdmin(String organization, HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, false);
        boolean admin = caller.account().admin()
                || organizations
                        .roleOf(organization, caller.account().id())
                        .filter(Role.ADMIN::equals)
                        .isPresent();
        if (!admin) {
            throw new IdentityException(404, "There is no organisation " + organization + " you administer.");
        }
        return caller;
    }
}
