package dev.drydock.registry.repository;

import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** {@code PUT|DELETE /api/v1/repositories/<name>/star}: star or unstar a repository one may pull. */
@Path("/api/v1/repositories")
public class StarResource {

    private final Repositories repositories;
    private final Permissions permissions;
    private final Callers callers;
    private final AgroalDataSource dataSource;

    StarResource(Repositories repositories, Permissions permissions, Callers callers, AgroalDataSource dataSource) {
        this.repositories = repositories;
        this.permissions = permissions;
        this.callers = callers;
        this.dataSource = dataSource;
    }

    @PUT
    @Path("{name: .+}/star")
    public Response star(@PathParam("name") String name, @Context HttpServerRequest http) throws SQLException {
        return change(name, http, true);
    }

    @DELETE
    @Path("{name: .+}/star")
    public Response unstar(@PathParam("name") String name, @Context HttpServerRequest http) throws SQLException {
        return change(name, http, false);
    }

    private Response change(String rawName, HttpServerRequest http, boolean star) throws SQLException {
        Principal caller = callers.require(http, true);
        RepositoryName name;
        try {
            name = RepositoryName.parse(rawName);
        } catch (OciException e) {
            throw new IdentityException(404, "There is no repository " + rawName + ".");
        }
        if (repositories.visibility(name).isEmpty()
                || !permissions.granted(caller, name).contains(Action.PULL)) {
            throw new IdentityException(404, "There is no repository " + name + ".");
        }
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                long repository = repositories.require(c, name);
                String sql = star
                        ? "INSERT INTO star (repository_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
                        : "DELETE FROM star WHERE repository_id = ? AND account_id = ?";
                try (PreparedStatement statement = c.prepareStatement(sql)) {
                    statement.setLong(1, repository);
                    statement.setLong(2, caller.account().id());
                    if (statement.executeUpdate() == 1) {
                        Outbox.append(
                                c,
                                Event.of(
                                        Repositories.SOURCE,
                                        Actors.of(http, caller.username(), null),
                                        star
                                                ? new RegistryEvents.RepositoryStarred(name.value(), caller.username())
                                                : new RegistryEvents.RepositoryUnstarred(
                                                        name.value(), caller.username())));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return Response.noContent().build();
    }
}
