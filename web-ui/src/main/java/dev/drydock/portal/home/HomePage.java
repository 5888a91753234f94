package dev.drydock.portal.home;

import dev.drydock.portal.FrontDoor;
import dev.drydock.readapi.RepositorySummary;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/** {@code /}: the repositories the visitor may see, most recently pushed first, with their tags and pull commands. */
@Path("/")
public class HomePage {

    private static final Logger LOG = Logger.getLogger(HomePage.class);

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(List<RepositorySummary> repositories, boolean unavailable);
    }

    private final FrontDoor frontDoor;

    HomePage(@RestClient FrontDoor frontDoor) {
        this.frontDoor = frontDoor;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance home() {
        try {
            return Templates.home(frontDoor.repositories(null, 50), false);
        } catch (RuntimeException e) {
            LOG.warnf("the front door did not answer: %s", e.getMessage());
            return Templates.home(List.of(), true);
        }
    }
}
