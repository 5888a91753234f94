package dev.drydock.audit.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.drydock.audit.access.Viewers;
import dev.drydock.audit.repository.RepositorySearch;
import dev.drydock.oci.http.TextInput;
import dev.drydock.readapi.RepositorySummary;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code GET /v1/search?q=…&n=…&page=…}: Docker Hub's search API, which {@code docker search} and
 * {@code podman search} ask before anything else. The same ranked search as the portal's, with the
 * same visibility, in Hub's shape: name, description, stars and the official mark (the root
 * namespace's images). {@code num_results} counts the results up to and including this page: more
 * may follow a full page.
 */
@Path("/v1/search")
@Produces(MediaType.APPLICATION_JSON)
public class HubSearchResource {

    /** One page of Hub's answer. */
    public record Page(
            @JsonProperty("num_results") int numResults,
            String query,
            int page,
            @JsonProperty("page_size") int pageSize,
            List<Result> results) {}

    /** A repository as Hub lists it; nothing here is built automatically, so {@code is_automated} is false. */
    public record Result(
            String name,
            String description,
            @JsonProperty("star_count") long starCount,
            @JsonProperty("is_official") boolean official,
            @JsonProperty("is_automated") boolean automated) {}

    private final RepositorySearch repositories;
    private final Viewers viewers;

    HubSearchResource(RepositorySearch repositories, Viewers viewers) {
        this.repositories = repositories;
        this.viewers = viewers;
    }

    @GET
    public Page search(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("q") String query,
            @QueryParam("n") String limitParam,
            @QueryParam("page") String pageParam)
            throws SQLException {
        int limit = TextInput.integer("n", limitParam, 25, 1, 100);
        int page = TextInput.integer("page", pageParam, 1, 1, 100);
        String words = SearchResource.words(query);
        List<RepositorySummary> found = repositories.search(
                viewers.of(authorization),
                new RepositorySearch.Query(
                        words, null, null, null, RepositorySearch.Order.BEST, (page - 1) * limit, limit));
        List<Result> results = found.stream()
                .map(summary -> new Result(
                        summary.name(),
                        summary.description() == null ? "" : summary.description(),
                        summary.stars(),
                        "library".equals(summary.namespace()),
                        false))
                .toList();
        return new Page((page - 1) * limit + results.size(), words, page, limit, results);
    }
}
