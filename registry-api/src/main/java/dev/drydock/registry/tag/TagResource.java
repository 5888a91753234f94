package dev.drydock.registry.tag;

import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.http.TextInput;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Decision;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code GET /v2/<name>/tags/list}: the tags in lexical order, paged with {@code n} and {@code last}. */
@Path("/v2")
public class TagResource {

    static final int MAX_PAGE = 1000;

    private final AgroalDataSource dataSource;
    private final Repositories repositories;

    TagResource(AgroalDataSource dataSource, Repositories repositories) {
        this.dataSource = dataSource;
        this.repositories = repositories;
    }

    @GET
    @Path("{name: .+}/tags/list")
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(
            @Encoded @PathParam("name") String name,
            @QueryParam("n") String n,
            @QueryParam("last") String last,
            @Context RoutingContext ctx)
            throws SQLException {
        RepositoryName repository = Decision.require(ctx, name, Action.PULL);
        int limit = Math.min(MAX_PAGE, TextInput.integer("n", n, MAX_PAGE, 0, Integer.MAX_VALUE));
        List<String> tags = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            long id = repositories.require(c, repository);
            try (PreparedStatement select =
                    c.prepareStatement("SELECT name FROM tag WHERE repository_id = ? AND name > ? COLLATE \"C\""
                            + " ORDER BY name COLLATE \"C\" LIMIT ?")) {
                select.setLong(1, id);
                select.setString(2, last == null ? "" : last);
                select.setInt(3, limit + 1);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        tags.add(rs.getString(1));
                    }
                }
            }
        }
        Response.ResponseBuilder response = Response.ok();
        if (limit == 0) {
            tags = List.of();
        } else if (tags.size() > limit) {
            tags = tags.subList(0, limit);
            String next = "/v2/" + name + "/tags/list?n=" + limit + "&last="
                    + URLEncoder.encode(tags.get(limit - 1), StandardCharsets.UTF_8);
            response.header("Link", "<" + next + ">; rel=\"next\"");
        }
        return response.entity(Map.of("name", name, "tags", tags)).build();
    }
}
