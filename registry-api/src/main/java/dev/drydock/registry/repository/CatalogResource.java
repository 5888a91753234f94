package dev.drydock.registry.repository;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** {@code GET /v2/_catalog}: repository names in lexical order, paged with {@code n} and {@code last}. */
@Path("/v2")
public class CatalogResource {

    static final int MAX_PAGE = 1000;

    private final Repositories repositories;

    CatalogResource(Repositories repositories) {
        this.repositories = repositories;
    }

    @GET
    @Path("_catalog")
    @Produces(MediaType.APPLICATION_JSON)
    public Response catalog(@QueryParam("n") @DefaultValue("-1") int n, @QueryParam("last") String last)
            throws SQLException {
        int limit = n < 0 || n > MAX_PAGE ? MAX_PAGE : n;
        List<String> names = repositories.names(last, limit + 1);
        Response.ResponseBuilder response = Response.ok();
        if (names.size() > limit) {
            names = names.subList(0, limit);
            String next = "/v2/_catalog?n=" + limit + "&last=" + URLEncoder.encode(names.get(limit - 1), StandardCharsets.UTF_8);
            response.header("Link", "<" + next + ">; rel=\"next\"");
        }
        return response.entity(Map.of("repositories", names)).build();
    }
}
