package dev.drydock.portal.search;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.PortalConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.util.List;

/** {@code /search?q=…}: public repositories, best match first (exact name, then relevance, stars, pulls). */
@Path("/search")
public class SearchPage {

    private static final Logger LOG = Logger.getLogger(SearchPage.class);

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance results(String query, List<FrontDoor.RepositorySummary> results,
                                               String registryHost, boolean unavailable);
    }

    private final FrontDoor frontDoor;
    private final PortalConfig config;

    SearchPage(@RestClient FrontDoor frontDoor, PortalConfig config) {
        this.frontDoor = frontDoor;
        this.config = config;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance search(@QueryParam("q") String query) {
        String q = query == null ? "" : query.strip();
        if (q.isEmpty() || q.length() > 200) {
            return Templates.results(q, List.of(), config.registryHost(), false);
        }
        try {
            return Templates.results(q, frontDoor.search(q, 50), config.registryHost(), false);
        } catch (RuntimeException e) {
            LOG.warnf("search did not answer: %s", e.getMessage());
            return Templates.results(q, List.of(), config.registryHost(), true);
        }
    }
}
