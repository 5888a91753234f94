package dev.drydock.portal.search;

import dev.drydock.portal.FrontDoor;
import dev.drydock.readapi.RepositorySummary;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * {@code /search?q=…}: the repositories the visitor may see, best match first (exact name, then
 * relevance, stars, pulls) or sorted by pulls, stars or last update; filters official,
 * organisation and platform; 25 a page.
 */
@Path("/search")
public class SearchPage {

    private static final Logger LOG = Logger.getLogger(SearchPage.class);
    static final int PAGE = 25;
    private static final Set<String> SORTS = Set.of("best", "pulls", "stars", "updated");

    /** The query as the form holds it, and the links to its neighbouring pages. */
    public record Query(String q, String official, String organization, String platform, String sort, int page) {
        public String link(int toPage) {
            return "/search?q=" + enc(q) + (official.isEmpty() ? "" : "&official=" + enc(official))
                    + (organization.isEmpty() ? "" : "&organization=" + enc(organization))
                    + (platform.isEmpty() ? "" : "&platform=" + enc(platform))
                    + "&sort=" + enc(sort) + "&page=" + toPage;
        }

        private static String enc(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance results(
                Query query, List<RepositorySummary> results, boolean more, boolean unavailable);
    }

    private final FrontDoor frontDoor;

    SearchPage(@RestClient FrontDoor frontDoor) {
        this.frontDoor = frontDoor;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance search(
            @QueryParam("q") String query,
            @QueryParam("official") String official,
            @QueryParam("organization") String organization,
            @QueryParam("platform") String platform,
            @QueryParam("sort") @DefaultValue("best") String sort,
            @QueryParam("page") @DefaultValue("1") int page) {
        Query q = new Query(
                query == null ? "" : query.strip(),
                "true".equals(official) || "false".equals(official) ? official : "",
                organization == null ? "" : organization.strip(),
                platform == null ? "" : platform.strip(),
                sort != null && SORTS.contains(sort) ? sort : "best",
                Math.max(1, Math.min(page, 400)));
        if (q.q().isEmpty() || q.q().length() > 200) {
            return Templates.results(q, List.of(), false, false);
        }
        try {
            List<RepositorySummary> found = frontDoor.search(
                    q.q(),
                    q.official().isEmpty() ? null : Boolean.valueOf(q.official()),
                    q.organization().isEmpty() ? null : q.organization(),
                    q.platform().isEmpty() ? null : q.platform(),
                    q.sort(),
                    (q.page() - 1) * PAGE,
                    PAGE + 1);
            return Templates.results(q, found.subList(0, Math.min(PAGE, found.size())), found.size() > PAGE, false);
        } catch (RuntimeException e) {
            LOG.warnf("search did not answer: %s", e.getMessage());
            return Templates.results(q, List.of(), false, true);
        }
    }
}
