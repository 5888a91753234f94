package dev.drydock.audit.repository;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.util.List;

/** {@code /api/v1/repositories}: public repositories with their tags, most recently pushed first. */
@Path("/api/v1/repositories")
@Produces(MediaType.APPLICATION_JSON)
public class RepositoryResource {

    private final RepositorySummaries summaries;

    RepositoryResource(RepositorySummaries summaries) {
        this.summaries = summaries;
    }

    @GET
    public List<RepositorySummaries.Summary> list(@QueryParam("limit") @DefaultValue("50") int limit) throws SQLException {
        if (limit < 1 || limit > 500) {
            throw new BadRequestException("limit must be between 1 and 500");
        }
        return summaries.list(limit);
    }

    @GET
    @Path("{name: .+}")
    public RepositorySummaries.Summary repository(@PathParam("name") String name) throws SQLException {
        return summaries.find(name).orElseThrow(() -> new NotFoundException("no public repository " + name));
    }

    @GET
    @Path("{name: .+}/tags/{tag}/history")
    public List<RepositorySummaries.TagChange> tagHistory(@PathParam("name") String name, @PathParam("tag") String tag)
            throws SQLException {
        return summaries.tagHistory(name, tag).orElseThrow(() -> new NotFoundException("no public repository " + name));
    }

    @GET
    @Path("{name: .+}/pulls")
    public RepositorySummaries.PullStats pulls(@PathParam("name") String name) throws SQLException {
        return summaries.pulls(name).orElseThrow(() -> new NotFoundException("no public repository " + name));
    }
}
