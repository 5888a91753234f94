package dev.drydock.registry.prune;

import dev.drydock.events.Actor;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import dev.drydock.registry.manifest.PullEvents;
import dev.drydock.registry.repository.Repositories;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code /api/v1/retention}: the retention rules of a repository (for those who may delete in it)
 * or of a namespace (for its admins: the user it is, an organisation's admins, platform admins).
 * They are applied by a prune with {@code all} and by the scheduled run ({@link RetentionSchedule}).
 */
@Path("/api/v1/retention")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RetentionResource {

    /** The rules to store for a repository or a namespace (one of the two). */
    public record RetentionRequest(
            String repository, String namespace, List<RetentionPolicy.Rule> rules, List<String> protect) {}

    private final Retention retention;
    private final Callers callers;
    private final Permissions permissions;
    private final Repositories repositories;
    private final PullEvents.Mode pullEvents;

    RetentionResource(
            Retention retention,
            Callers callers,
            Permissions permissions,
            Repositories repositories,
            RegistryConfig config) {
        this.retention = retention;
        this.callers = callers;
        this.permissions = permissions;
        this.repositories = repositories;
        this.pullEvents = config.pullEvents();
    }

    @GET
    public Retention.Stored read(
            @QueryParam("repository") String repository,
            @QueryParam("namespace") String namespace,
            @Context HttpServerRequest http)
            throws SQLException {
        Target target = target(callers.require(http, true), repository, namespace);
        return retention
                .find(target.kind(), target.name())
                .orElseThrow(() -> new IdentityException(
                        404, "There are no retention rules for " + target.name() + ".", target.field()));
    }

    @PUT
    public Retention.Stored write(RetentionRequest request, @Context HttpServerRequest http) throws SQLException {
        if (request == null) {
            throw new IdentityException(
                    400, "Send the rules as JSON: {\"repository\":…,\"rules\":[…],\"protect\":[…]}.");
        }
        Principal caller = callers.require(http, true);
        Target target = target(caller, request.repository(), request.namespace());
        RetentionPolicy policy = RetentionPolicy.validated(new RetentionPolicy(request.rules(), request.protect()));
        if (pullEvents == PullEvents.Mode.OFF
                && policy.rules().stream().anyMatch(rule -> rule.notPulledFor() != null)) {
            throw new IdentityException(
                    400,
                    "This platform records no pulls (drydock.registry.pull-events=off), so a "
                            + "notPulledFor rule would remove every tag; use olderThan or keepLast.",
                    "rules");
        }
        return retention.put(target.kind(), target.name(), policy, actor(http, caller));
    }

    @DELETE
    public Response remove(
            @QueryParam("repository") String repository,
            @QueryParam("namespace") String namespace,
            @Context HttpServerRequest http)
            throws SQLException {
        Principal caller = callers.require(http, true);
        Target target = target(caller, repository, namespace);
        if (!retention.remove(target.kind(), target.name(), actor(http, caller))) {
            throw new IdentityException(404, "There are no retention rules for " + target.name() + ".", target.field());
        }
        return Response.noContent().build();
    }

    private record Target(Retention.Kind kind, String name, String field) {}

    /** Whose rules, once the caller is known to administer them; 404 alike for what does not exist and what is not theirs. */
    private Target target(Principal caller, String repository, String namespace) throws SQLException {
        if ((repository == null) == (namespace == null)) {
            throw new IdentityException(400, "Name a repository or a namespace (one of the two).", "repository");
        }
        if (repository != null) {
            RepositoryName name;
            try {
                name = RepositoryName.parse(repository.strip());
            } catch (OciException e) {
                throw new IdentityException(400, "The repository name is not valid: " + e.getMessage(), "repository");
            }
            if (!permissions.granted(caller, name).contains(Action.DELETE)
                    || repositories.visibility(name).isEmpty()) {
                throw new IdentityException(404, "There is no repository " + name + " you administer.", "repository");
            }
            return new Target(Retention.Kind.REPOSITORY, name.value(), "repository");
        }
        String name = Namespaces.parse(namespace);
        if (!permissions.administersNamespace(caller, name)) {
            throw new IdentityException(404, "There is no namespace " + name + " you administer.", "namespace");
        }
        return new Target(Retention.Kind.NAMESPACE, name, "namespace");
    }

    private static Actor actor(HttpServerRequest http, Principal caller) {
        return Actors.of(
                http,
                caller.username(),
                caller.tokenId() == null ? null : caller.tokenId().toString());
    }
}
