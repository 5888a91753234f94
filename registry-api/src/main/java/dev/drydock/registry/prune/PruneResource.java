package dev.drydock.registry.prune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import dev.drydock.registry.repository.Repositories;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

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
    private final StorageUsage usage;
    private final PruneProgress progress;

    PruneResource(
            Pruner pruner,
            StorageCollector collector,
            Callers callers,
            Permissions permissions,
            Repositories repositories,
            StorageUsage usage,
            PruneProgress progress) {
        this.usage = usage;
        this.progress = progress;
        this.pruner = pruner;
        this.collector = collector;
        this.callers = callers;
        this.permissions = permissions;
        this.repositories = repositories;
    }

    /**
     * What to prune: a repository, a namespace, or neither (everything); {@code until} as docker's
     * filter takes it (a duration such as {@code 24h}, or an instant); {@code all}: apply the
     * retention rules first (docker's {@code --all}: tags the rules remove go, then what no tag reaches).
     */
    public record PruneRequest(String repository, String namespace, String until, Boolean dryRun, Boolean all) {}

    /** {@code pause}: an ISO-8601 wait between the collection's phases (at most a minute), for race tests. */
    public record GcRequest(Boolean dryRun, String pause) {}

    @POST
    @Path("/prune")
    public Pruner.Report prune(PruneRequest request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        PruneRequest asked = request == null ? new PruneRequest(null, null, null, null, null) : request;
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
            String namespace = Namespaces.parse(asked.namespace());
            names = new ArrayList<>();
            for (RepositoryName name : repositories.inNamespace(namespace)) {
                if (mayPrune(caller, name)) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                throw new IdentityException(
                        404, "There is no namespace " + namespace + " with repositories you administer.", "namespace");
            }
            scope = namespace;
        } else {
            requirePlatformAdmin(
                    caller, "Only platform admins may prune the whole platform; name a repository or a namespace.");
            scope = "*";
            names = repositories.all();
        }
        boolean dryRun = Boolean.TRUE.equals(asked.dryRun());
        PruneProgress.Run run = progress.start(caller.username(), scope, dryRun, names.size());
        try {
            Pruner.Report report = pruner.prune(
                    scope,
                    names,
                    until,
                    dryRun,
                    others(caller),
                    Actors.of(
                            http,
                            caller.username(),
                            caller.tokenId() == null ? null : caller.tokenId().toString()),
                    Boolean.TRUE.equals(asked.all()),
                    run);
            run.finish("completed");
            return report;
        } catch (SQLException | RuntimeException e) {
            run.finish("failed");
            throw e;
        }
    }

    /**
     * {@code GET /api/v1/prune}: the caller's latest prune on this registry-api, running or ended,
     * with how many of its repositories are done and what they removed ({@code {"run": null}}
     * when there is none); one line with {@code Accept: text/plain}, the launcher's progress.
     */
    @GET
    @Path("/prune")
    public Map<String, Object> latestPrune(@Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        Map<String, Object> answer = new HashMap<>();
        answer.put(
                "run",
                progress.latest(caller.username()).map(PruneProgress.Run::view).orElse(null));
        return answer;
    }

    @GET
    @Path("/prune")
    @Produces(MediaType.TEXT_PLAIN)
    public String latestPruneAsText(@Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        return progress.latest(caller.username()).map(PruneProgress.Run::line).orElse("No prune has run here yet.")
                + "\n";
    }

    /** The same prune, answered as {@code docker image prune} prints it (for the launcher). */
    @POST
    @Path("/prune")
    @Produces(MediaType.TEXT_PLAIN)
    public String pruneAsText(PruneRequest request, @Context HttpServerRequest http) throws SQLException {
        Pruner.Report report = prune(request, http);
        StringBuilder text = new StringBuilder();
        if (!report.tags().isEmpty()) {
            text.append(report.dryRun() ? "Would untag:\n" : "Untagged:\n");
            report.tags()
                    .forEach(t -> text.append(report.dryRun() ? "would untag: " : "untagged: ")
                            .append(t.repository())
                            .append(':')
                            .append(t.tag())
                            .append('\n'));
            text.append('\n');
        }
        if (!report.manifests().isEmpty()) {
            text.append(report.dryRun() ? "Would delete manifests:\n" : "Deleted manifests:\n");
            report.manifests()
                    .forEach(m -> text.append(report.dryRun() ? "would delete: " : "deleted: ")
                            .append(m.repository())
                            .append('@')
                            .append(m.digest())
                            .append('\n'));
            text.append('\n');
        }
        return text.append(report.dryRun() ? "Total reclaimable space: " : "Total reclaimed space: ")
                .append(Sizes.human(report.bytesFreed()))
                .append('\n')
                .toString();
    }

    /** What a collection still running answers (202): its report comes as the {@code storage.garbage_collected} event. */
    private static final String STILL_RUNNING = "{\"running\":true,\"detail\":\"The collection goes on in layer-store; "
            + "its report arrives in the audit log as storage.garbage_collected.\"}";

    @POST
    @Path("/system/gc")
    public Response collect(GcRequest request, @Context HttpServerRequest http) throws SQLException {
        Principal caller = callers.require(http, true);
        requirePlatformAdmin(caller, "Only platform admins may collect the storage's garbage.");
        GcRequest asked = request == null ? new GcRequest(null, null) : request;
        requireShortPause(asked.pause());
        return collector
                .collect(Boolean.TRUE.equals(asked.dryRun()), asked.pause(), caller.username())
                .map(report ->
                        Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build())
                .orElseGet(() -> Response.accepted(STILL_RUNNING)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .build());
    }

    /** The same collection, answered as {@code docker system prune} prints it (for the launcher). */
    @POST
    @Path("/system/gc")
    @Produces(MediaType.TEXT_PLAIN)
    public Response collectAsText(GcRequest request, @Context HttpServerRequest http) throws Exception {
        Response answer = collect(request, http);
        if (answer.getStatus() == 202) {
            return Response.accepted("Garbage collection is still running; its report will be in the audit log "
                            + "(storage.garbage_collected).\n")
                    .type(MediaType.TEXT_PLAIN_TYPE)
                    .build();
        }
        JsonNode report = JSON.readTree((String) answer.getEntity());
        boolean dryRun = report.path("dryRun").asBoolean();
        StringBuilder text = new StringBuilder();
        JsonNode links = report.path("links");
        if (!links.isEmpty()) {
            text.append(dryRun ? "Would delete blob links:\n" : "Deleted blob links:\n");
            links.forEach(l -> text.append(dryRun ? "would delete: " : "deleted: ")
                    .append(l.path("repository").asText())
                    .append('@')
                    .append(l.path("digest").asText())
                    .append('\n'));
            text.append('\n');
        }
        text.append(dryRun ? "Blobs that would be removed: " : "Blobs removed: ")
                .append(report.path("blobs").asInt())
                .append('\n');
        text.append(dryRun ? "Abandoned uploads that would be removed: " : "Abandoned uploads removed: ")
                .append(report.path("uploads").asInt()
                        + report.path("strayFiles").asInt())
                .append('\n');
        return Response.ok(
                        text.append(dryRun ? "Total reclaimable space: " : "Total reclaimed space: ")
                                .append(Sizes.human(report.path("bytesFreed").asLong()))
                                .append('\n')
                                .toString(),
                        MediaType.TEXT_PLAIN_TYPE)
                .build();
    }

    /**
     * {@code GET /api/v1/system/gc[?dryRun=true]}: the garbage collection running now (by an admin
     * or the schedule), or else the latest real one (with {@code dryRun}, the latest dry run), with
     * what it has removed so far; {@code {"run": null}} before the first.
     */
    @GET
    @Path("/system/gc")
    public String latestCollection(@QueryParam("dryRun") boolean dryRun, @Context HttpServerRequest http)
            throws SQLException {
        Principal caller = callers.require(http, true);
        requirePlatformAdmin(caller, "Only platform admins may read the storage's garbage collection.");
        return collector.latest(caller.username(), dryRun);
    }

    /** The same, as one line for the launcher's progress: phase, what is removed so far, the time taken. */
    @GET
    @Path("/system/gc")
    @Produces(MediaType.TEXT_PLAIN)
    public String latestCollectionAsText(@QueryParam("dryRun") boolean dryRun, @Context HttpServerRequest http)
            throws IOException, SQLException {
        JsonNode run = JSON.readTree(latestCollection(dryRun, http)).path("run");
        if (run.isMissingNode() || run.isNull()) {
            return "No garbage collection has run yet.\n";
        }
        Instant started = Instant.parse(run.path("startedAt").asText());
        Instant ended = run.path("finishedAt").isTextual()
                ? Instant.parse(run.path("finishedAt").asText())
                : Instant.now();
        String removed = (run.path("dryRun").asBoolean() ? "would remove " : "removed ")
                + run.path("links").asInt() + " blob links, "
                + run.path("blobs").asInt() + " blobs ("
                + Sizes.human(run.path("bytesFreed").asLong()) + "), "
                + (run.path("uploads").asInt() + run.path("strayFiles").asInt()) + " abandoned uploads";
        String took = Duration.between(started, ended).toSeconds() + " s";
        String by = " (by " + run.path("actor").asText() + (run.path("dryRun").asBoolean() ? ", a dry run)" : ")");
        if (run.path("running").asBoolean()) {
            return "Garbage collection running" + by + ", phase "
                    + run.path("phaseNumber").asInt() + " of "
                    + run.path("phases").asInt() + " (" + run.path("phase").asText() + "): " + removed + " so far, "
                    + took + "\n";
        }
        if (!run.path("finishedAt").isTextual()) { // its process died; the next run records it as interrupted
            return "Garbage collection interrupted" + by + ", started at " + started + ": " + removed
                    + " before it stopped\n";
        }
        return "Garbage collection " + run.path("outcome").asText() + by + " at " + ended + ": " + removed + ", in "
                + took + "\n";
    }

    /**
     * Blobs that no manifest references, which garbage collection removes (in a platform-wide
     * report only, from layer-store's dry run); null when a collection is running, layer-store
     * is down, or its dry run takes longer than registry-api waits.
     */
    public record Unreferenced(long blobs, long bytes) {}

    public record StorageReport(
            String scope,
            StorageUsage.Figures total,
            List<StorageUsage.RepositoryUsage> repositories,
            Unreferenced unreferenced) {}

    /**
     * {@code GET /api/v1/storage}: {@code docker system df} for a repository or a namespace (what
     * the caller may read of it), or for the whole platform (platform admins), with each
     * repository's figures when {@code verbose}. For signed-in callers, as every account route.
     */
    @GET
    @Path("/storage")
    public StorageReport storage(
            @QueryParam("repository") String repository,
            @QueryParam("namespace") String namespace,
            @QueryParam("verbose") boolean verbose,
            @Context HttpServerRequest http)
            throws SQLException {
        Principal caller = callers.require(http, true);
        if (repository != null && namespace != null) {
            throw new IdentityException(400, "Name a repository or a namespace, not both.", "repository");
        }
        String scope;
        List<RepositoryName> names;
        if (repository != null) {
            RepositoryName name = repositoryName(repository);
            if (!permissions.granted(caller, name).contains(Action.PULL)
                    || repositories.visibility(name).isEmpty()) {
                throw new IdentityException(404, "There is no repository " + name + " you may read.", "repository");
            }
            scope = name.value();
            names = List.of(name);
        } else if (namespace != null) {
            scope = Namespaces.parse(namespace);
            names = new ArrayList<>();
            for (RepositoryName name : repositories.inNamespace(scope)) {
                if (permissions.granted(caller, name).contains(Action.PULL)) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                throw new IdentityException(
                        404, "There is no namespace " + scope + " with repositories you may read.", "namespace");
            }
        } else {
            requirePlatformAdmin(
                    caller,
                    "Only platform admins may see the whole platform's storage; name a repository or a namespace.");
            scope = "*";
            names = repositories.all();
        }
        StorageUsage.Report report = usage.measure(scope, names, others(caller), verbose);
        Unreferenced unreferenced = null;
        if (scope.equals("*")) {
            try {
                Optional<String> dryRun = collector.collect(true, null, caller.username());
                if (dryRun.isPresent()) {
                    JsonNode collection = JSON.readTree(dryRun.get());
                    unreferenced = new Unreferenced(
                            collection.path("blobs").asLong(),
                            collection.path("bytesFreed").asLong());
                }
            } catch (IdentityException | OciException notNow) {
                // a collection holds the lease, or layer-store is down: the report says it could not ask
            } catch (IOException e) {
                throw new IllegalStateException("layer-store's dry run did not read as JSON", e);
            }
        }
        return new StorageReport(report.scope(), report.total(), report.repositories(), unreferenced);
    }

    /** The same report, as {@code docker system df [-v]} prints it (for the launcher). */
    @GET
    @Path("/storage")
    @Produces(MediaType.TEXT_PLAIN)
    public String storageAsText(
            @QueryParam("repository") String repository,
            @QueryParam("namespace") String namespace,
            @QueryParam("verbose") boolean verbose,
            @Context HttpServerRequest http)
            throws SQLException {
        StorageReport report = storage(repository, namespace, verbose, http);
        StorageUsage.Figures total = report.total();
        StringBuilder text = new StringBuilder();
        String row = "%-20s %-10s %-10s %-10s %s%n";
        text.append(String.format(Locale.ROOT, row, "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"));
        text.append(String.format(
                Locale.ROOT,
                row,
                "Images",
                total.manifests(),
                total.manifests() - total.danglingManifests(),
                Sizes.human(total.storedBytes()),
                reclaimable(total.reclaimableBytes(), total.storedBytes())));
        text.append(String.format(Locale.ROOT, row, "Tags", total.tags(), total.tags(), "-", "-"));
        if (report.scope().equals("*")) {
            Unreferenced unreferenced = report.unreferenced();
            text.append(
                    unreferenced == null
                            ? String.format(
                                    Locale.ROOT,
                                    row,
                                    "Unreferenced blobs",
                                    "?",
                                    "0",
                                    "?",
                                    "? (not known: a collection is running or layer-store is down)")
                            : String.format(
                                    Locale.ROOT,
                                    row,
                                    "Unreferenced blobs",
                                    unreferenced.blobs(),
                                    0,
                                    Sizes.human(unreferenced.bytes()),
                                    reclaimable(unreferenced.bytes(), unreferenced.bytes())));
        }
        if (report.repositories() != null) {
            String wide = "%-40s %-6s %-10s %-9s %-13s %-10s %-12s %-12s %s%n";
            text.append("\nRepositories space usage:\n\n");
            text.append(String.format(
                    Locale.ROOT,
                    wide,
                    "REPOSITORY",
                    "TAGS",
                    "MANIFESTS",
                    "DANGLING",
                    "PULLED SIZE",
                    "SIZE",
                    "SHARED SIZE",
                    "UNIQUE SIZE",
                    "RECLAIMABLE"));
            for (StorageUsage.RepositoryUsage r : report.repositories()) {
                StorageUsage.Figures f = r.usage();
                text.append(String.format(
                        Locale.ROOT,
                        wide,
                        r.repository(),
                        f.tags(),
                        f.manifests(),
                        f.danglingManifests(),
                        Sizes.human(f.logicalBytes()),
                        Sizes.human(f.storedBytes()),
                        Sizes.human(f.sharedBytes()),
                        Sizes.human(f.uniqueBytes()),
                        Sizes.human(f.reclaimableBytes())));
            }
        }
        return text.toString();
    }

    private static String reclaimable(long bytes, long of) {
        return Sizes.human(bytes) + " (" + (of == 0 ? 0 : Math.round(100.0 * bytes / of)) + "%)";
    }

    /**
     * The repositories whose content counts as "elsewhere" when the caller asks what is shared or
     * freed: null (all of them) for a platform admin, otherwise the ones the caller may read.
     */
    private long[] others(Principal caller) throws SQLException {
        return permissions.readableRepositories(caller, repositories.listed());
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
        throw new IdentityException(
                400, "pause must be an ISO-8601 duration of at most a minute, such as PT2S.", "pause");
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
