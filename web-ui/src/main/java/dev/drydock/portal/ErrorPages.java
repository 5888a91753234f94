package dev.drydock.portal;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The portal's one door for errors: a page that says what happened, with the right status, never
 * a stack trace. A call the platform refused answers what it said (401 sends the visitor to sign
 * in); a platform that does not answer is a 503.
 */
public class ErrorPages {

    private static final Logger LOG = Logger.getLogger(ErrorPages.class);

    @CheckedTemplate(basePath = "ErrorPages")
    static class Templates {
        static native TemplateInstance error(int status, String title, String message);
    }

    @ServerExceptionMapper
    public Response csrf(ForbiddenException e) {
        return page(403, "Not allowed", e.getMessage());
    }

    @ServerExceptionMapper
    public Response refused(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return switch (status) {
            case 401 -> Response.seeOther(URI.create("/login")).build();
            case 403 -> page(403, "Not allowed", Problem.of(e).detail());
            case 404 -> page(404, "Not found", "There is nothing here that you can see.");
            case 405 -> page(405, "Not allowed", "This page does not take that kind of request.");
            default -> {
                if (status >= 500) {
                    LOG.warnf("the platform answered %d: %s", status, e.getMessage());
                    yield page(
                            502,
                            "Something went wrong",
                            "The platform could not do that just now. Try again in a moment.");
                }
                yield page(status, "That did not work", Problem.of(e).detail());
            }
        };
    }

    @ServerExceptionMapper
    public Response unavailable(ProcessingException e) {
        LOG.warnf("the front door did not answer: %s", e.getMessage());
        return page(503, "Unavailable", "The registry is not answering right now. Try again in a moment.");
    }

    /** Anything else is the portal's own fault: logged, and a page like every other (with the site's security headers). */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (e.getClass() == RuntimeException.class
                && String.valueOf(e.getMessage()).startsWith("Param limit of")) {
            // RESTEasy Reactive's form parser refuses a form of over 1,000 fields with a bare RuntimeException
            return page(
                    413, "Too much at once", "That form had more fields than the portal takes. Send less at a time.");
        }
        LOG.error("a portal request failed", e);
        return page(500, "Something went wrong", "The portal could not show this page. Try again in a moment.");
    }

    private static Response page(int status, String title, String message) {
        return Response.status(status)
                .type(MediaType.TEXT_HTML)
                .entity(Templates.error(status, title, message))
                .build();
    }
}
