package dev.drydock.portal.audit;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.Problem;
import dev.drydock.portal.session.AccountPages;
import dev.drydock.portal.session.Visitor;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * {@code /audit}: the audit log of an organisation or repository the visitor administers (all of it
 * for platform admins), filtered by actor and event type, 50 records a page.
 */
@Path("/audit")
@Produces(MediaType.TEXT_HTML)
public class AuditPage {

    static final int PAGE = 50;

    public record Filter(String organization, String repository, String actor, String type) {
        public String next(long cursor) {
            return "/audit?organization=" + enc(organization) + "&repository=" + enc(repository) + "&actor="
                    + enc(actor) + "&type=" + enc(type) + "&cursor=" + cursor;
        }

        private static String enc(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(Filter filter, FrontDoor.AuditPage page, Problem problem);
    }

    private final FrontDoor frontDoor;
    private final Visitor visitor;

    AuditPage(@RestClient FrontDoor frontDoor, Visitor visitor) {
        this.frontDoor = frontDoor;
        this.visitor = visitor;
    }

    @GET
    public Response audit(
            @QueryParam("organization") String organization,
            @QueryParam("repository") String repository,
            @QueryParam("actor") String actor,
            @QueryParam("type") String type,
            @QueryParam("cursor") Long cursor) {
        if (!visitor.signedIn()) {
            return AccountPages.signInFirst("/audit");
        }
        Filter filter = new Filter(clean(organization), clean(repository), clean(actor), clean(type));
        try {
            FrontDoor.AuditPage page = frontDoor.audit(
                    blankToNull(filter.organization()),
                    blankToNull(filter.repository()),
                    blankToNull(filter.actor()),
                    filter.type().isEmpty() ? null : "dev.drydock." + filter.type(),
                    cursor,
                    PAGE);
            return Response.ok(Templates.audit(filter, page, null)).build();
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            if (problem.status() != 403 && problem.status() != 400) {
                throw e;
            }
            return Response.status(problem.status())
                    .entity(Templates.audit(filter, new FrontDoor.AuditPage(List.of(), null), problem))
                    .build();
        }
    }

    private static String clean(String value) {
        return value == null ? "" : value.strip();
    }

    private static String blankToNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
