package dev.drydock.portal.repository;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.Problem;
import dev.drydock.portal.Projections;
import dev.drydock.portal.session.AccountPages;
import dev.drydock.portal.session.Visitor;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** {@code /new}: create a repository, public or private, in the visitor's namespace or an organisation's. */
@Path("/new")
@Produces(MediaType.TEXT_HTML)
public class NewRepositoryPage {

    /** What the form was filled in with, to show it again beside a problem. */
    public record Draft(String namespace, String name, String visibility, String description) {}

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance newRepository(List<String> namespaces, Draft draft, Problem problem);
    }

    private final FrontDoor frontDoor;
    private final Visitor visitor;

    NewRepositoryPage(@RestClient FrontDoor frontDoor, Visitor visitor) {
        this.frontDoor = frontDoor;
        this.visitor = visitor;
    }

    @GET
    public Response form(@QueryParam("namespace") String namespace) {
        if (!visitor.signedIn()) {
            return AccountPages.signInFirst("/new");
        }
        return Response.ok(Templates.newRepository(
                        namespaces(), new Draft(namespace == null ? visitor.username() : namespace, "", "", ""), null))
                .build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(
            @FormParam("csrf") String csrf,
            @FormParam("namespace") String namespace,
            @FormParam("name") String name,
            @FormParam("visibility") String visibility,
            @FormParam("description") String description) {
        visitor.checkCsrf(csrf);
        if (!visitor.signedIn()) {
            return AccountPages.signInFirst("/new");
        }
        Draft draft = new Draft(namespace, name == null ? "" : name.strip(), visibility, description);
        if (draft.name().isEmpty()) {
            return refused(draft, new Problem(400, "Name the repository.", "name"));
        }
        String full = namespace + "/" + draft.name();
        try {
            frontDoor.createRepository(new FrontDoor.NewRepository(full, visibility, description, null));
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            return refused(
                    draft, problem.field() == null ? new Problem(problem.status(), problem.detail(), "name") : problem);
        }
        Projections.awaitShown(() -> frontDoor.repository(full) != null);
        return Response.seeOther(URI.create("/r/" + full)).build();
    }

    private Response refused(Draft draft, Problem problem) {
        return Response.status(problem.status())
                .entity(Templates.newRepository(namespaces(), draft, problem))
                .build();
    }

    /** The visitor's own namespace and the organisations where they may push. */
    private List<String> namespaces() {
        FrontDoor.Me me = visitor.me(frontDoor::me);
        List<String> namespaces = new ArrayList<>();
        namespaces.add(me.username());
        me.organizations().stream()
                .filter(m -> m.role().equals("write") || m.role().equals("admin"))
                .forEach(m -> namespaces.add(m.organization()));
        return namespaces;
    }
}
