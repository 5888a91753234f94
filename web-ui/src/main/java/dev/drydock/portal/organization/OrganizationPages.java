package dev.drydock.portal.organization;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.Problem;
import dev.drydock.portal.session.AccountPages;
import dev.drydock.portal.session.Visitor;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Namespaces: {@code /u/<name>} lists a user's or organisation's repositories (those the visitor
 * may see); {@code /orgs/<name>} adds, for its members, members and teams, and for its admins the
 * forms that change them; {@code /orgs/new} creates an organisation.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class OrganizationPages {

    /** What the organisation page shows: members and teams only to members. */
    public record Organization(String name, List<FrontDoor.RepositorySummary> repositories, boolean member,
                               boolean admin, List<FrontDoor.Member> members, List<FrontDoor.Team> teams,
                               FrontDoor.StorageReport storage) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance namespace(String name, List<FrontDoor.RepositorySummary> repositories,
                                                 FrontDoor.Me me, FrontDoor.StorageReport storage);

        static native TemplateInstance organization(Organization organization, Problem problem);

        static native TemplateInstance newOrganization(String name, Problem problem);
    }

    private final FrontDoor frontDoor;
    private final Visitor visitor;

    OrganizationPages(@RestClient FrontDoor frontDoor, Visitor visitor) {
        this.frontDoor = frontDoor;
        this.visitor = visitor;
    }

    @GET
    @Path("u/{name}")
    public TemplateInstance namespace(@PathParam("name") String name) {
        FrontDoor.Me me = visitor.username().equals(name) ? visitor.me(frontDoor::me) : null;
        return Templates.namespace(name, frontDoor.repositories(name, 200), me, storage(name));
    }

    @GET
    @Path("orgs/new")
    public Response newOrganizationForm() {
        return visitor.signedIn() ? Response.ok(Templates.newOrganization("", null)).build()
                : AccountPages.signInFirst("/orgs/new");
    }

    @POST
    @Path("orgs/new")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createOrganization(@FormParam("csrf") String csrf, @FormParam("name") String name) {
        visitor.checkCsrf(csrf);
        if (name == null || name.isBlank()) {
            return Response.status(400).entity(Templates.newOrganization("",
                    new Problem(400, "Choose a name for the organisation.", "name"))).build();
        }
        try {
            frontDoor.createOrganization(Map.of("name", name.strip()));
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            return Response.status(problem.status()).entity(Templates.newOrganization(name,
                    new Problem(problem.status(), problem.detail(), "name"))).build();
        }
        return Response.seeOther(URI.create("/orgs/" + name.strip())).build();
    }

    @GET
    @Path("orgs/{name}")
    public TemplateInstance organization(@PathParam("name") String name) {
        return Templates.organization(load(name), null);
    }

    @POST
    @Path("orgs/{name}/members")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response setMember(@PathParam("name") String name, @FormParam("csrf") String csrf,
                              @FormParam("username") String username, @FormParam("role") String role) {
        visitor.checkCsrf(csrf);
        return change(name, () -> frontDoor.setMember(name, username == null ? "" : username.strip(),
                Map.of("role", role == null ? "" : role)), "username");
    }

    @POST
    @Path("orgs/{name}/members/{username}/remove")
    public Response removeMember(@PathParam("name") String name, @PathParam("username") String username,
                                 @FormParam("csrf") String csrf) {
        visitor.checkCsrf(csrf);
        return change(name, () -> frontDoor.removeMember(name, username), "username");
    }

    @POST
    @Path("orgs/{name}/teams")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response putTeam(@PathParam("name") String name, @FormParam("csrf") String csrf,
                            @FormParam("team") String team, @FormParam("role") String role,
                            @FormParam("repositories") String repositories, @FormParam("members") String members) {
        visitor.checkCsrf(csrf);
        if (team == null || team.isBlank()) {
            return Response.status(400).entity(Templates.organization(load(name),
                    new Problem(400, "Name the team.", "team"))).build();
        }
        List<String> chosen = words(repositories).stream().map(r -> r.contains("/") ? r : name + "/" + r).toList();
        return change(name, () -> frontDoor.putTeam(name, team.strip(),
                new FrontDoor.TeamDefinition(role, chosen.isEmpty() ? null : chosen, words(members))), "team");
    }

    private Response change(String name, Runnable call, String field) {
        try {
            call.run();
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            return Response.status(problem.status() == 404 ? 403 : problem.status()).entity(Templates.organization(load(name),
                    new Problem(problem.status(), problem.detail(), problem.field() == null ? field : problem.field())))
                    .build();
        }
        return Response.seeOther(URI.create("/orgs/" + name)).build();
    }

    private Organization load(String name) {
        List<FrontDoor.RepositorySummary> repositories = frontDoor.repositories(name, 200);
        FrontDoor.Me me = visitor.me(frontDoor::me);
        boolean member = me != null && (me.admin()
                || me.organizations().stream().anyMatch(m -> m.organization().equals(name)));
        if (!member) {
            return new Organization(name, repositories, false, false, List.of(), List.of(), storage(name));
        }
        return new Organization(name, repositories, true, me.administers(name), frontDoor.members(name),
                frontDoor.teams(name), storage(name));
    }

    /** What the namespace's repositories that the visitor may read store; null when there are none or it cannot be had now. */
    private FrontDoor.StorageReport storage(String namespace) {
        try {
            return frontDoor.storage(null, namespace, true);
        } catch (WebApplicationException | ProcessingException e) {
            return null;
        }
    }

    private static List<String> words(String value) {
        return value == null ? List.of() : Arrays.stream(value.split("[\\s,]+")).filter(w -> !w.isBlank()).toList();
    }
}
