package dev.drydock.portal.home;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.PortalConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.util.List;

/** {@code /}: the repositories most recently pushed, with their tags and pull commands. */
@Path("/")
public class HomePage {

    private static final Logger LOG = Logger.getLogger(HomePage.class);

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(List<FrontDoor.RepositorySummary> repositories, String registryHost,
                                            boolean unavailable);
    }

    private final FrontDoor frontDoor;
    private final PortalConfig config;

    HomePage(@RestClient FrontDoor frontDoor, PortalConfig config) {
        this.frontDoor = frontDoor;
        this.config = config;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance home() {
        try {
            return Templates.home(frontDoor.repositories(50), config.registryHost(), false);
        } catch (RuntimeException e) {
            LOG.warnf("the front door did not answer: %s", e.getMessage());
            return Templates.home(List.of(), config.registryHost(), true);
        }
    }
}
