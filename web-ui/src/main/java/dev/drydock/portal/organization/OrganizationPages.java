package dev.drydock.portal.organization;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.Problem;
import dev.drydock.portal.repository.RetentionForm;
import dev.drydock.portal.session.AccountPages;
import dev.drydock.portal.session.Visitor;
import dev.drydock.readapi.RepositorySummary;
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
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Namespaces: {@code /u/<name>} lists a user's or organisation's repositories (those the visitor
 * may see); {@code /orgs/<name>} adds, for its members, members and teams, and for its admins the
 * forms that change them; {@code /orgs/new} creates an organisation.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class OrganizationPages {

    /** What the organisation page shows: members and teams only to members. */
    public record Organization(
            String name,
            List<RepositorySummary> repositories,
            boolean member,
            boolean admin,
            List<FrontDoor.Member> members,
            List<FrontDoor.Team> teams,
            FrontDoor.StorageReport storage,
            RetentionForm retention) {}

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance namespace(
                String name,
                List<RepositorySummary> repositories,
                FrontDoor.Me me,
                FrontDoor.StorageReport storage,
                RetentionForm retention,
                Problem problem);

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
        return namespacePage(name, null, null);
    }

    /** The user's page; their own shows their organisations and their namespace's retention rules. */
    private TemplateInstance namespacePage(String name, RetentionForm submitted, Problem problem) {
        FrontDoor.Me me = visitor.username().equals(name) ? visitor.me(frontDoor::me) : null;
        RetentionForm retention = me == null ? null : submitted != null ? submitted : retentionForm("u", name);
        return Templates.namespace(name, frontDoor.repositories(name, 200), me, storage(name), retention, problem);
    }

    /**
     * A namespace's retention rules, saved ({@code action=retention}) or removed
     * ({@code retention-remove}): the user's own ({@code /u/<name>/retention}) or an organisation's
     * ({@code /orgs/<name>/retention}); whether the visitor administers it is the platform's to say.
     */
    @POST
    @Path("{kind: u|orgs}/{name}/retention")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response retention(
            @PathParam("kind") String kind,
            @PathParam("name") String name,
            @FormParam("csrf") String csrf,
            @FormParam("action") String action,
            @FormParam("ruleTags") List<String> ruleTags,
            @FormParam("ruleKind") List<String> ruleKinds,
            @FormParam("ruleValue") List<String> ruleValues,
            @FormParam("protect") String protect) {
        visitor.checkCsrf(csrf);
        String page = "/" + kind + "/" + name;
        if (!visitor.signedIn()) {
            return AccountPages.signInFirst(page);
        }
        if ("retention-remove".equals(action)) {
            try {
                frontDoor.deleteRetention(null, name);
                return Response.seeOther(URI.create(page + "#retention")).build();
            } catch (WebApplicationException e) {
                if (e.getResponse().getStatus() != 404) {
                    throw e;
                }
                if (retentionForm(kind, name) != null) { // for its admins, none left is what was asked
                    return Response.seeOther(URI.create(page + "#retention")).build();
                }
            }
            Problem refused = new Problem(403, "Only the admins of " + name + " may change its retention rules.", null);
            return Response.status(403)
                    .entity(
                            "u".equals(kind)
                                    ? namespacePage(name, null, refused)
                                    : Templates.organization(load(name), refused))
                    .build();
        }
        RetentionForm form = RetentionForm.submitted(
                retentionUrl(kind, name), storedRetention(name), ruleTags, ruleKinds, ruleValues, protect);
        Problem problem;
        try {
            frontDoor.putRetention(new FrontDoor.RetentionRequest(null, name, form.rules(), form.protectPatterns()));
            return Response.seeOther(URI.create(page + "#retention")).build();
        } catch (RetentionForm.Invalid e) {
            problem = new Problem(400, e.getMessage(), "rules");
        } catch (WebApplicationException e) {
            Problem refused = Problem.of(e);
            problem = refused.status() == 400
                    ? new Problem(400, refused.detail(), refused.about("protect") ? "protect" : "rules")
                    : refused.status() == 404 || refused.status() == 403
                            ? new Problem(403, "Only the admins of " + name + " may change its retention rules.", null)
                            : null;
            if (problem == null) {
                throw e;
            }
        }
        TemplateInstance shown = "u".equals(kind)
                ? namespacePage(name, form, problem)
                : Templates.organization(load(name, form), problem);
        return Response.status(problem.status()).entity(shown).build();
    }

    private static String retentionUrl(String kind, String name) {
        return "/" + kind + "/" + name + "/retention";
    }

    /** The namespace's retention form when the visitor administers it ({@link RetentionForm#read}); null otherwise. */
    private RetentionForm retentionForm(String kind, String name) {
        FrontDoor.Me me = visitor.me(frontDoor::me);
        if (me == null || !me.administersNamespace(name)) {
            return null;
        }
        return RetentionForm.read(retentionUrl(kind, name), () -> frontDoor.retention(null, name));
    }

    /** The namespace's retention rules, or null when it has none or the visitor does not administer it. */
    private FrontDoor.StoredRetention storedRetention(String namespace) {
        try {
            return frontDoor.retention(null, namespace);
        } catch (WebApplicationException | ProcessingException e) {
            return null;
        }
    }

    @GET
    @Path("orgs/new")
    public Response newOrganizationForm() {
        return visitor.signedIn()
                ? Response.ok(Templates.newOrganization("", null)).build()
                : AccountPages.signInFirst("/orgs/new");
    }

    @POST
    @Path("orgs/new")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createOrganization(@FormParam("csrf") String csrf, @FormParam("name") String name) {
        visitor.checkCsrf(csrf);
        if (name == null || name.isBlank()) {
            return Response.status(400)
                    .entity(Templates.newOrganization(
                            "", new Problem(400, "Choose a name for the organisation.", "name")))
                    .build();
        }
        try {
            frontDoor.createOrganization(Map.of("name", name.strip()));
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            return Response.status(problem.status())
                    .entity(Templates.newOrganization(name, new Problem(problem.status(), problem.detail(), "name")))
                    .build();
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
    public Response setMember(
            @PathParam("name") String name,
            @FormParam("csrf") String csrf,
            @FormParam("username") String username,
            @FormParam("role") String role) {
        visitor.checkCsrf(csrf);
        return change(
                name,
                () -> frontDoor.setMember(
                        name, username == null ? "" : username.strip(), Map.of("role", role == null ? "" : role)),
                "username");
    }

    @POST
    @Path("orgs/{name}/members/{username}/remove")
    public Response removeMember(
            @PathParam("name") String name, @PathParam("username") String username, @FormParam("csrf") String csrf) {
        visitor.checkCsrf(csrf);
        return change(name, () -> frontDoor.removeMember(name, username), "username");
    }

    @POST
    @Path("orgs/{name}/teams")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response putTeam(
            @PathParam("name") String name,
            @FormParam("csrf") String csrf,
            @FormParam("team") String team,
            @FormParam("role") String role,
            @FormParam("repositories") String repositories,
            @FormParam("members") String members) {
        visitor.checkCsrf(csrf);
        if (team == null || team.isBlank()) {
            return Response.status(400)
                    .entity(Templates.organization(load(name), new Problem(400, "Name the team.", "team")))
                    .build();
        }
        List<String> chosen = words(repositories).stream()
                .map(r -> r.contains("/") ? r : name + "/" + r)
                .toList();
        return change(
                name,
                () -> frontDoor.putTeam(
                        name,
                        team.strip(),
                        new FrontDoor.TeamDefinition(role, chosen.isEmpty() ? null : chosen, words(members))),
                "team");
    }

    private Response change(String name, Runnable call, String field) {
        try {
            call.run();
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            return Response.status(problem.status() == 404 ? 403 : problem.status())
                    .entity(Templates.organization(
                            load(name),
                            new Problem(
                                    problem.status(),
                                    problem.detail(),
                                    problem.field() == null ? field : problem.field())))
                    .build();
        }
        return Response.seeOther(URI.create("/orgs/" + name)).build();
    }

    private Organization load(String name) {
        return load(name, null);
    }

    /** The organisation as the visitor may see it; its retention form for its admins (the one submitted, if given). */
    private Organization load(String name, RetentionForm submitted) {
        List<RepositorySummary> repositories = frontDoor.repositories(name, 200);
        FrontDoor.Me me = visitor.me(frontDoor::me);
        boolean member = me != null
                && (me.admin()
                        || me.organizations().stream()
                                .anyMatch(m -> m.organization().equals(name)));
        if (!member) {
            return new Organization(name, repositories, false, false, List.of(), List.of(), storage(name), null);
        }
        boolean admin = me.administers(name);
        RetentionForm retention = !admin ? null : submitted != null ? submitted : retentionForm("orgs", name);
        return new Organization(
                name,
                repositories,
                true,
                admin,
                frontDoor.members(name),
                frontDoor.teams(name),
                storage(name),
                retention);
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
        return value == null
                ? List.of()
                : Arrays.stream(value.split("[\\s,]+"))
                        .filter(w -> !w.isBlank())
                        .toList();
    }
}
