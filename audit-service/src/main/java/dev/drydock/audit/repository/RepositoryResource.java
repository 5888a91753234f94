package dev.drydock.audit.repository;

import dev.drydock.audit.access.Viewers;
import dev.drydock.oci.http.TextInput;
import dev.drydock.readapi.RepositorySummary;
import dev.drydock.readapi.Sharing;
import dev.drydock.readapi.TagChange;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/repositories}: the repositories the viewer may see with their tags, most recently
 * pushed first ({@code namespace=} for one user's or organisation's); one repository; its pulls
 * and tag history. A repository the viewer may not see answers 404, like one that does not exist.
 */
@Path("/api/v1/repositories")
@Produces(MediaType.APPLICATION_JSON)
public class RepositoryResource {

    private final RepositorySummaries summaries;
    private final Viewers viewers;

    RepositoryResource(RepositorySummaries summaries, Viewers viewers) {
        this.summaries = summaries;
        this.viewers = viewers;
    }

    @GET
    public List<RepositorySummary> list(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("namespace") String namespace,
            @QueryParam("limit") String limitParam)
            throws SQLException {
        int limit = TextInput.integer("limit", limitParam, 50, 1, 500);
        return summaries.list(viewers.of(authorization), namespace, limit);
    }

    @GET
    @Path("{name: .+}")
    public RepositorySummary repository(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("name") String name)
            throws SQLException {
        return summaries.find(viewers.of(authorization), name).orElseThrow(() -> missing(name));
    }

    @GET
    @Path("{name: .+}/tags/{tag}/history")
    public List<TagChange> tagHistory(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("name") String name,
            @PathParam("tag") String tag)
            throws SQLException {
        return summaries.tagHistory(viewers.of(authorization), name, tag).orElseThrow(() -> missing(name));
    }

    /** Which of an image's blobs other images use too (each is stored once). */
    @GET
    @Path("{name: .+}/manifests/{digest}/sharing")
    public Map<String, Sharing> sharing(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("name") String name,
            @PathParam("digest") String digest)
            throws SQLException {
        return summaries.sharing(viewers.of(authorization), name, digest).orElseThrow(() -> missing(name));
    }

    @GET
    @Path("{name: .+}/pulls")
    public RepositorySummaries.PullStats pulls(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("name") String name)
            throws SQLException {
        return summaries.pulls(viewers.of(authorization), name).orElseThrow(() -> missing(name));
    }

    private static NotFoundException missing(String name) {
        return new NotFoundException("There is no repository " + name + ".");
    }
}
