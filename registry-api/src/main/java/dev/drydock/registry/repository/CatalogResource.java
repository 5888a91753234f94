package dev.drydock.registry.repository;

import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.http.TextInput;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Decision;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.identity.Accounts;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v2/_catalog}: repository names in lexical order, paged with {@code n} and
 * {@code last}, and only those the caller may pull: others' private repositories do not exist
 * for them.
 */
@Path("/v2")
public class CatalogResource {

    static final int MAX_PAGE = 1000;

    private final Repositories repositories;
    private final Permissions permissions;
    private final Accounts accounts;

    CatalogResource(Repositories repositories, Permissions permissions, Accounts accounts) {
        this.repositories = repositories;
        this.permissions = permissions;
        this.accounts = accounts;
    }

    @GET
    @Path("_catalog")
    @Produces(MediaType.APPLICATION_JSON)
    public Response catalog(@QueryParam("n") String n, @QueryParam("last") String last, @Context RoutingContext ctx)
            throws SQLException {
        int limit = Math.min(MAX_PAGE, TextInput.integer("n", n, MAX_PAGE, 0, Integer.MAX_VALUE));
        String user = Decision.token(ctx).subject();
        Principal principal = user.isEmpty()
                ? Principal.ANONYMOUS
                : accounts.find(user).map(Principal::of).orElse(Principal.ANONYMOUS);
        List<String> names = new ArrayList<>();
        String cursor = last;
        while (names.size() <= limit) {
            List<Map.Entry<String, Visibility>> page = repositories.namesWithVisibility(cursor, MAX_PAGE);
            for (Map.Entry<String, Visibility> repository : page) {
                RepositoryName name = new RepositoryName(repository.getKey());
                if (names.size() <= limit
                        && permissions
                                .granted(principal, name, Optional.of(repository.getValue()))
                                .contains(Action.PULL)) {
                    names.add(repository.getKey());
                }
            }
            if (page.size() < MAX_PAGE) {
                break;
            }
            cursor = page.get(page.size() - 1).getKey();
        }
        Response.ResponseBuilder response = Response.ok();
        if (limit == 0) {
            names = List.of();
        } else if (names.size() > limit) {
            names = names.subList(0, limit);
            String next = "/v2/_catalog?n=" + limit + "&last="
                    + URLEncoder.encode(names.get(limit - 1), StandardCharsets.UTF_8);
            response.header("Link", "<" + next + ">; rel=\"next\"");
        }
        return response.entity(Map.of("repositories", names)).build();
    }
}
