package dev.drydock.layerstore.gc;

import dev.drydock.events.Actor;
import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.access.TokenCheck;
import dev.drydock.oci.token.RegistryToken;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * {@code POST /internal/gc[?dryRun=true]}: runs a garbage collection and answers what it removed;
 * {@code GET /internal/gc[?dryRun=true]}: the collection running now, or else the latest real (or dry)
 * one, with what it has removed so far.
 * Only registry-api calls it, with a token it mints for a platform admin's collection
 * ({@code storage_admin}, refused by every other route); the front door has no route to it.
 * {@code pause} (an ISO-8601 duration, at most a minute) waits between the phases: a hook for
 * tests that race pushes against each phase.
 */
@ApplicationScoped
public class GcRoutes {

    private static final Duration MAX_PAUSE = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final TokenCheck tokens;
    private final GarbageCollector collector;
    private final CollectionRuns runs;

    GcRoutes(Vertx vertx, TokenCheck tokens, GarbageCollector collector, CollectionRuns runs) {
        this.runs = runs;
        this.vertx = vertx;
        this.tokens = tokens;
        this.collector = collector;
    }

    void register(@Observes Router router) {
        router.route("/internal/gc").order(-8).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        if (ctx.request().method() == HttpMethod.GET) {
            latest(ctx);
            return;
        }
        if (ctx.request().method() != HttpMethod.POST) {
            problem(ctx, 405, "POST runs a garbage collection, GET reads the latest");
            return;
        }
        boolean dryRun = "true".equals(ctx.request().getParam("dryRun"));
        Duration pause;
        try {
            String asked = ctx.request().getParam("pause");
            pause = asked == null ? Duration.ZERO : Duration.parse(asked);
        } catch (DateTimeParseException e) {
            problem(ctx, 400, "pause must be an ISO-8601 duration such as PT2S");
            return;
        }
        if (pause.isNegative() || pause.compareTo(MAX_PAUSE) > 0) {
            problem(ctx, 400, "pause must be between zero and a minute");
            return;
        }
        Duration wait = pause;
        vertx.executeBlocking(
                        () -> {
                            Optional<RegistryToken> admin = tokens.storageAdmin(ctx.request());
                            if (admin.isEmpty()) {
                                return null;
                            }
                            Actor actor = new Actor(admin.get().subject(), null, null, "drydock garbage collection");
                            return collector.collect(dryRun, actor, wait);
                        },
                        false)
                .onSuccess(report -> {
                    if (report == null) {
                        problem(ctx, 401, "a garbage collection needs registry-api's token for a platform admin");
                        return;
                    }
                    JsonArray links = new JsonArray();
                    report.links()
                            .forEach(link -> links.add(new JsonObject()
                                    .put("repository", link.repository())
                                    .put("digest", link.digest())));
                    ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .end(new JsonObject()
                                    .put("dryRun", report.dryRun())
                                    .put("grace", report.grace().toString())
                                    .put("links", links)
                                    .put("blobs", report.blobs())
                                    .put("bytesFreed", report.bytesFreed())
                                    .put("uploads", report.uploads())
                                    .put("strayFiles", report.strayFiles())
                                    .encode());
                })
                .onFailure(failure -> {
                    if (failure instanceof GarbageCollector.Busy) {
                        problem(ctx, 409, failure.getMessage());
                    } else {
                        HttpExchange.fail(ctx, failure);
                    }
                });
    }

    /** The running collection or the latest as recorded: {@code {"run": null}} when there has been none. */
    private void latest(RoutingContext ctx) {
        vertx.executeBlocking(
                        () -> {
                            if (tokens.storageAdmin(ctx.request()).isEmpty()) {
                                return null;
                            }
                            boolean dryRun = "true".equals(ctx.request().getParam("dryRun"));
                            return Optional.ofNullable(
                                    runs.latest(dryRun).map(GcRoutes::json).orElse(null));
                        },
                        false)
                .onSuccess(answer -> {
                    if (answer == null) {
                        problem(
                                ctx,
                                401,
                                "reading the garbage collection needs registry-api's token for a platform admin");
                        return;
                    }
                    ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .end(new JsonObject()
                                    .put("run", answer.orElse(null))
                                    .encode());
                })
                .onFailure(failure -> HttpExchange.fail(ctx, failure));
    }

    private static JsonObject json(CollectionRuns.Run run) {
        return new JsonObject()
                .put("startedAt", run.startedAt().toString())
                .put(
                        "finishedAt",
                        run.finishedAt() == null ? null : run.finishedAt().toString())
                .put("running", run.running())
                .put("dryRun", run.dryRun())
                .put("actor", run.actor())
                .put("phase", run.phase())
                .put("phaseNumber", run.phaseNumber())
                .put("phases", CollectionRuns.Phase.values().length - 1)
                .put("links", run.links())
                .put("blobs", run.blobs())
                .put("bytesFreed", run.bytesFreed())
                .put("uploads", run.uploads())
                .put("strayFiles", run.strayFiles())
                .put("outcome", run.outcome());
    }

    private static void problem(RoutingContext ctx, int status, String detail) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/problem+json")
                .end(new JsonObject()
                        .put("status", status)
                        .put("detail", detail)
                        .encode());
    }
}
