package dev.drydock.registry.prune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.OciException;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import dev.drydock.registry.repository.Repositories;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/v1/prune}: removes dangling manifests of a repository, of a namespace, or of
 * the whole platform ({@code docker image prune} for a registry), or with {@code dryRun} lists
 * exactly what would go. {@code POST /api/v1/system/gc}: garbage collection of layer-store's
 * storage (blobs no manifest references, abandoned uploads), for platform admins.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PruneResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pruner pruner;
    private final StorageCollector collector;
    private final Callers callers;
    private final Permissions permissions;
    private final Repositories repositories;

    PruneResource(Pruner pruner, StorageCollector collector, Callers callers, Permissions permissions,
                  Repositories repositories) {
        this.pruner = pruner;
        this.collector = collector;
        this.callers = callers;
        this.permissions = permissions;
        this.repositories = repositories;
    }

    /**
     * What to prune: a repository, a namespace, or neither (everything); {@code until} as docker's
     * filter takes it (a duration such as {@code 24h}, or an instant).
     */
    public record PruneRequest(String repository, String namespace, String until, Boolean dryRun) {
    }

    /** {@code pause}: an ISO-8601 wait between the collection's phases (at most a minute), for race tests. */
    public record GcRequest(Boolean dryRun, String pause) {
    }

    @POST
    @Path("/prune")
    public Pruner.Report prune(PruneRequest request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        PruneRequest asked = request == null ? new PruneRequest(null, null, null, null) : request;
        if (asked.repository() != null && asked.namespace() != null) {
            throw new IdentityException(400, "Name a repository or a namespace, not both.", "repository");
        }
        Instant until = Until.parse(asked.until(), Instant.now());
        String scope;
        List<RepositoryName> names;
        if (asked.repository() != null) {
            RepositoryName name = repositoryName(asked.repository());
            if (!mayPrune(caller, name) || repositories.visibility(name).isEmpty()) {
                throw new IdentityException(404, "There is no repository " + name + " you administer.", "repository");
            }
            scope = name.value();
            names = List.of(name);
        } else if (asked.namespace() != null) {
            String namespace = asked.namespace().strip();
            names = new ArrayList<>();
            for (RepositoryName name : repositories.inNamespace(namespace)) {
                if (mayPrune(caller, name)) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                throw new IdentityException(404, "There is no namespace " + namespace + " with repositories you administer.",
                        "namespace");
            }
            scope = namespace;
        } else {
            requirePlatformAdmin(caller, "Only platform admins may prune the whole platform; name a repository or a namespace.");
            scope = "*";
            names = repositories.all();
        }
        boolean platformAdmin = !caller.isAnonymous() && caller.account().admin();
        return pruner.prune(scope, names, until, Boolean.TRUE.equals(asked.dryRun()), platformAdmin,
                Actors.of(http, caller.username(), caller.tokenId() == null ? null : caller.tokenId().toString()));
    }

    /** The same prune, answered as {@code docker image prune} prints it (for the launcher). */
    @POST
    @Path("/prune")
    @Produces(MediaType.TEXT_PLAIN)
    public String pruneAsText(PruneRequest request, @Context HttpServerRequest http) throws SQLException {
        Pruner.Report report = prune(request, http);
        StringBuilder text = new StringBuilder();
        if (!report.manifests().isEmpty()) {
            text.append(report.dryRun() ? "Would delete manifests:\n" : "Deleted manifests:\n");
            report.manifests().forEach(m -> text.append(report.dryRun() ? "would delete: " : "deleted: ")
                    .append(m.repository()).append('@').append(m.digest()).append('\n'));
            text.append('\n');
        }
        return text.append(report.dryRun() ? "Total reclaimable space: " : "Total reclaimed space: ")
                .append(Sizes.human(report.bytesFreed())).append('\n').toString();
    }

    @POST
    @Path("/system/gc")
    public String collect(GcRequest request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        requirePlatformAdmin(caller, "Only platform admins may collect the storage's garbage.");
        GcRequest asked = request == null ? new GcRequest(null, null) : request;
        requireShortPause(asked.pause());
        return collector.collect(Boolean.TRUE.equals(asked.dryRun()), asked.pause(), caller.username());
    }

    /** The same collection, answered as {@code docker system prune} prints it (for the launcher). */
    @POST
    @Path("/system/gc")
    @Produces(MediaType.TEXT_PLAIN)
    public String collectAsText(GcRequest request, @Context HttpServerRequest http) throws Exception {
        JsonNode report = JSON.readTree(collect(request, http));
        boolean dryRun = report.path("dryRun").asBoolean();
        StringBuilder text = new StringBuilder();
        JsonNode links = report.path("links");
        if (!links.isEmpty()) {
            text.append(dryRun ? "Would delete blob links:\n" : "Deleted blob links:\n");
            links.forEach(l -> text.append(dryRun ? "would delete: " : "deleted: ").append(l.path("repository").asText())
                    .append('@').append(l.path("digest").asText()).append('\n'));
            text.append('\n');
        }
        text.append(dryRun ? "Blobs that would be removed: " : "Blobs removed: ").append(report.path("blobs").asInt()).append('\n');
        text.append(dryRun ? "Abandoned uploads that would be removed: " : "Abandoned uploads removed: ")
                .append(report.path("uploads").asInt() + report.path("strayFiles").asInt()).append('\n');
        return text.append(dryRun ? "Total reclaimable space: " : "Total reclaimed space: ")
                .append(Sizes.human(report.path("bytesFreed").asLong())).append('\n').toString();
    }

    /** At most a minute, in ISO-8601 ({@code PT2S}); refused here rather than passed on to layer-store. */
    private static void requireShortPause(String pause) {
        if (pause == null) {
            return;
        }
        try {
            Duration wait = Duration.parse(pause.strip());
            if (!wait.isNegative() && wait.compareTo(Duration.ofMinutes(1)) <= 0) {
                return;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw new IdentityException(400, "pause must be an ISO-8601 duration of at most a minute, such as PT2S.", "pause");
    }

    private boolean mayPrune(Principal caller, RepositoryName name) throws SQLException {
        return permissions.granted(caller, name).contains(Action.DELETE);
    }

    private static void requirePlatformAdmin(Principal caller, String message) {
        if (caller.isAnonymous() || !caller.account().admin() || !caller.cap().contains(Action.DELETE)) {
            throw new IdentityException(403, message);
        }
    }

    private static RepositoryName repositoryName(String raw) {
        try {
            return RepositoryName.parse(raw.strip());
        } catch (OciException e) {
            throw new IdentityException(400, "The repository name is not valid: " + e.getMessage(), "repository");
        }
    }
}
