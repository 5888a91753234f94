package dev.drydock.portal.account;

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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * {@code /settings/tokens}: personal access tokens like Docker Hub's. A new token's secret is shown
 * on the page that answers its creation and never again.
 */
@Path("/settings/tokens")
@Produces(MediaType.TEXT_HTML)
public class TokenPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tokens(
                List<FrontDoor.TokenInfo> tokens, FrontDoor.CreatedToken created, Problem problem, String name);
    }

    private final FrontDoor frontDoor;
    private final Visitor visitor;

    TokenPages(@RestClient FrontDoor frontDoor, Visitor visitor) {
        this.frontDoor = frontDoor;
        this.visitor = visitor;
    }

    @GET
    public Response list() {
        if (!visitor.signedIn()) {
            return AccountPages.signInFirst("/settings/tokens");
        }
        return Response.ok(Templates.tokens(frontDoor.tokens(), null, null, "")).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(
            @FormParam("csrf") String csrf,
            @FormParam("name") String name,
            @FormParam("scope") String scope,
            @FormParam("expires") String expires) {
        visitor.checkCsrf(csrf);
        if (!visitor.signedIn()) {
            return AccountPages.signInFirst("/settings/tokens");
        }
        Instant expiresAt;
        try {
            // a date means "valid through that day" (UTC)
            expiresAt = expires == null || expires.isBlank()
                    ? null
                    : LocalDate.parse(expires)
                            .plusDays(1)
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant();
        } catch (DateTimeParseException e) {
            return refused(new Problem(400, "The expiry must be a date such as 2027-01-31.", "expiresAt"), name);
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            return refused(new Problem(400, "The expiry must be in the future.", "expiresAt"), name);
        }
        try {
            FrontDoor.CreatedToken created =
                    frontDoor.createToken(new FrontDoor.NewToken(name == null ? "" : name.strip(), scope, expiresAt));
            return Response.status(201)
                    .entity(Templates.tokens(frontDoor.tokens(), created, null, ""))
                    .build();
        } catch (WebApplicationException e) {
            return refused(Problem.of(e), name);
        }
    }

    @POST
    @Path("{id}/revoke")
    public Response revoke(@PathParam("id") UUID id, @FormParam("csrf") String csrf) {
        visitor.checkCsrf(csrf);
        frontDoor.revokeToken(id);
        return Response.seeOther(URI.create("/settings/tokens")).build();
    }

    private Response refused(Problem problem, String name) {
        return Response.status(problem.status())
                .entity(Templates.tokens(frontDoor.tokens(), null, problem, name == null ? "" : name))
                .build();
    }
}
