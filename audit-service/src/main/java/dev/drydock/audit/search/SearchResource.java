package dev.drydock.audit.search;

import dev.drydock.audit.access.Viewers;
import dev.drydock.audit.repository.RepositorySearch;
import dev.drydock.oci.http.TextInput;
import dev.drydock.readapi.RepositorySummary;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /api/v1/search?q=…}: the repositories the viewer may see, best match first; filters
 * {@code official=true|false}, {@code organization=<namespace>} and {@code platform=<os>/<arch>}; {@code sort=best|pulls|stars|updated};
 * paged with {@code offset} and {@code limit}.
 */
@Path("/api/v1/search")
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    private final RepositorySearch repositories;
    private final Viewers viewers;

    SearchResource(RepositorySearch repositories, Viewers viewers) {
        this.repositories = repositories;
        this.viewers = viewers;
    }

    /** The words searched for: {@code q} stripped, 1 to 200 characters (shared with Docker Hub's search). */
    static String words(String query) {
        if (query == null || query.isBlank() || query.length() > 200) {
            throw new BadRequestException("q must be 1 to 200 characters");
        }
        return query.strip();
    }

    @GET
    public List<RepositorySummary> search(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("q") String query,
            @QueryParam("official") String officialParam,
            @QueryParam("organization") String organization,
            @QueryParam("platform") String platform,
            @QueryParam("sort") @DefaultValue("best") String sort,
            @QueryParam("offset") String offsetParam,
            @QueryParam("limit") String limitParam)
            throws SQLException {
        int offset = TextInput.integer("offset", offsetParam, 0, 0, 10_000);
        int limit = TextInput.integer("limit", limitParam, 25, 1, 100);
        Boolean official = officialParam == null || officialParam.isEmpty()
                ? null
                : switch (officialParam) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new BadRequestException("official must be true or false");
                };
        String words = words(query);
        RepositorySearch.Order order;
        try {
            order = RepositorySearch.Order.valueOf(sort.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("sort must be one of best, pulls, stars, updated");
        }
        return repositories.search(
                viewers.of(authorization),
                new RepositorySearch.Query(
                        words,
                        official,
                        organization,
                        platform == null || platform.isBlank() ? null : platform.strip(),
                        order,
                        offset,
                        limit));
    }
}
