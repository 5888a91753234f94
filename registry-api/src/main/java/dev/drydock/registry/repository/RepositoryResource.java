package dev.drydock.registry.repository;

import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.auth.AccessWithdrawalEntity;
import dev.drydock.registry.auth.AccessWithdrawals;
import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/repositories} creates a repository with its visibility, description and README;
 * {@code PATCH} changes them; {@code DELETE} deletes the repository. (Reading repositories is the read API's, served by audit-service.)
 */
@Path("/api/v1/repositories")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RepositoryResource {

    private final Repositories repositories;
    private final Permissions permissions;
    private final Callers callers;
    private final AgroalDataSource dataSource;
    private final DomainEvents events;
    private final AccessWithdrawals withdrawals;

    RepositoryResource(
            Repositories repositories,
            Permissions permissions,
            Callers callers,
            AgroalDataSource dataSource,
            DomainEvents events,
            AccessWithdrawals withdrawals) {
        this.repositories = repositories;
        this.permissions = permissions;
        this.callers = callers;
        this.dataSource = dataSource;
        this.events = events;
        this.withdrawals = withdrawals;
    }

    /** Docker Hub's limits: a short description fits on a search result line. */
    static final int MAX_DESCRIPTION = 100;

    static final int MAX_README = 100_000;

    public record NewRepository(String name, String visibility, String description, String readme) {}

    /** What to change; a field left out stays as it is. */
    public record Change(String visibility, String description, String readme) {}

    @POST
    public Response create(NewRepository request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        if (request == null) {
            throw new IdentityException(400, "A JSON body with name and visibility is required.", "name");
        }
        RepositoryName name = name(request.name());
        Visibility visibility = visibility(request.visibility());
        Repositories.Description description =
                described(request.description(), request.readme(), new Repositories.Description("", ""));
        if (!permissions.granted(caller, name).contains(Action.PUSH)) {
            throw new IdentityException(403, "You may not create repositories in " + name.namespace() + ".", "name");
        }
        boolean created = QuarkusTransaction.requiringNew().call(() -> {
            var actor = Actors.of(http, caller.username(), null);
            try (Connection c = dataSource.getConnection()) {
                if (repositories.create(c, name, visibility, actor).isEmpty()) {
                    return false;
                }
            }
            RepositoryEntity repository = RepositoryEntity.locked(name).orElseThrow();
            if (repository.describe(description.description(), description.readme())) {
                events.emit(
                        actor,
                        new RegistryEvents.DescriptionChanged(
                                name.value(), description.description(), description.readme()));
            }
            return true;
        });
        if (!created) {
            throw new IdentityException(409, "The repository " + name + " exists already.", "name");
        }
        return Response.created(URI.create("/api/v1/repositories/" + name))
                .entity(Map.of("name", name.value(), "visibility", visibility.value()))
                .build();
    }

    @PATCH
    @Path("/{name: .+}")
    public Map<String, String> change(
            @PathParam("name") String rawName, Change request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        RepositoryName name = name(rawName);
        if (!permissions.granted(caller, name).contains(Action.DELETE)
                || repositories.visibility(name).isEmpty()) {
            throw new IdentityException(404, "There is no repository " + name + " you administer.");
        }
        if (request == null) {
            throw new IdentityException(400, "A JSON body with visibility, description or readme is required.");
        }
        Visibility visibility = request.visibility() == null ? null : visibility(request.visibility());
        List<AccessWithdrawalEntity> withdrawn = new ArrayList<>();
        Map<String, String> changed = QuarkusTransaction.requiringNew().call(() -> {
            var actor = Actors.of(http, caller.username(), null);
            RepositoryEntity repository = RepositoryEntity.locked(name)
                    .orElseThrow(
                            () -> new IdentityException(404, "There is no repository " + name + " you administer."));
            if (visibility != null && repository.changeVisibility(visibility)) {
                if (visibility == Visibility.PRIVATE) {
                    // tokens signed while it was public (anyone's, anonymous ones too) end with it
                    withdrawn.add(withdrawals.record(name.value(), null));
                }
                events.emit(actor, new RegistryEvents.VisibilityChanged(name.value(), visibility.value()));
            }
            Repositories.Description now = described(
                    request.description(),
                    request.readme(),
                    new Repositories.Description(repository.description, repository.readme));
            if (repository.describe(now.description(), now.readme())) {
                events.emit(
                        actor, new RegistryEvents.DescriptionChanged(name.value(), now.description(), now.readme()));
            }
            return Map.of(
                    "name",
                    name.value(),
                    "visibility",
                    repository.visibility.value(),
                    "description",
                    now.description(),
                    "readme",
                    now.readme());
        });
        withdrawals.confirm(withdrawn);
        return changed;
    }

    /** Deletes the repository with everything in it; those who may delete in it only. */
    @DELETE
    @Path("/{name: .+}")
    public Response delete(@PathParam("name") String rawName, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        RepositoryName name = name(rawName);
        if (!permissions.granted(caller, name).contains(Action.DELETE)) {
            throw new IdentityException(404, "There is no repository " + name + " you administer.");
        }
        List<AccessWithdrawalEntity> withdrawn = new ArrayList<>();
        boolean deleted = QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                if (!repositories.delete(c, name, Actors.of(http, caller.username(), null))) {
                    return false;
                }
            }
            // a repository pushed under the name later, private perhaps, is not what these tokens named
            withdrawn.add(withdrawals.record(name.value(), null));
            return true;
        });
        withdrawals.confirm(withdrawn);
        if (!deleted) {
            throw new IdentityException(404, "There is no repository " + name + " you administer.");
        }
        return Response.noContent().build();
    }

    /** The description and README after a change; a null field keeps what {@code current} has. */
    private static Repositories.Description described(
            String description, String readme, Repositories.Description current) {
        String d = description == null ? current.description() : description.strip();
        String r = readme == null ? current.readme() : readme;
        if (d.length() > MAX_DESCRIPTION || d.contains("\n")) {
            throw new IdentityException(
                    400, "The description is one line of at most " + MAX_DESCRIPTION + " characters.", "description");
        }
        if (r.length() > MAX_README) {
            throw new IdentityException(400, "The README may have at most " + MAX_README + " characters.", "readme");
        }
        return new Repositories.Description(d, r);
    }

    private static RepositoryName name(String raw) {
        try {
            return RepositoryName.parse(raw);
        } catch (OciException e) {
            throw new IdentityException(400, e.getMessage(), "name");
        }
    }

    private static Visibility visibility(String raw) {
        return Visibility.parse(raw)
                .orElseThrow(
                        () -> new IdentityException(400, "The visibility must be public or private.", "visibility"));
    }
}
