package dev.drydock.audit.search;

import dev.drydock.audit.repository.RepositorySummaries;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code GET /api/v1/search?q=…}: public repositories, best match first; filters
 * {@code official=true|false} and {@code organization=<namespace>}.
 */
@Path("/api/v1/search")
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    private final RepositorySummaries summaries;

    SearchResource(RepositorySummaries summaries) {
        this.summaries = summaries;
    }

    @GET
    public List<RepositorySummaries.Summary> search(@QueryParam("q") String query,
                                                    @QueryParam("official") Boolean official,
                                                    @QueryParam("organization") String organization,
                                                    @QueryParam("limit") @DefaultValue("25") int limit) throws SQLException {
        if (query == null || query.isBlank() || query.length() > 200) {
            throw new BadRequestException("q must be 1 to 200 characters");
        }
        if (limit < 1 || limit > 100) {
            throw new BadRequestException("limit must be between 1 and 100");
        }
        return summaries.search(query.strip(), official, organization, limit);
    }
}
