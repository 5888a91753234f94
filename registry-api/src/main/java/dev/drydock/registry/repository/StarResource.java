package dev.drydock.registry.repository;

import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;

/** {@code PUT|DELETE /api/v1/repositories/<name>/star}: star or unstar a repository one may pull. */
@Path("/api/v1/repositories")
public class StarResource {

    private final Repositories repositories;
    private final Permissions permissions;
    private final Callers callers;
    private final DomainEvents events;

    StarResource(Repositories repositories, Permissions permissions, Callers callers, DomainEvents events) {
        this.repositories = repositories;
        this.permissions = permissions;
        this.callers = callers;
        this.events = events;
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
            // shared row lock: a deletion of the repository waits for this star, or this star finds it gone
            long repository = RepositoryEntity.shared(name)
                    .orElseThrow(() -> new IdentityException(404, "There is no repository " + name + "."))
                    .id;
            // one statement each, so that of two equal requests at once only one changes anything
            int changed = star
                    ? StarEntity.getSession()
                            .createMutationQuery("insert into StarEntity (repositoryId, accountId, starredAt)"
                                    + " values (?1, ?2, ?3) on conflict do nothing")
                            .setParameter(1, repository)
                            .setParameter(2, caller.account().id())
                            .setParameter(3, Instant.now())
                            .executeUpdate()
                    : (int) StarEntity.delete(
                            "repositoryId = ?1 and accountId = ?2",
                            repository,
                            caller.account().id());
            if (changed == 1) {
                events.emit(
                        Actors.of(http, caller.username(), null),
                        star
                                ? new RegistryEvents.RepositoryStarred(name.value(), caller.username())
                                : new RegistryEvents.RepositoryUnstarred(name.value(), caller.username()));
            }
        });
        return Response.noContent().build();
    }
}
