package dev.drydock.registry.manifest;

import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.http.Routes;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Decision;
import dev.drydock.registry.frontdoor.Actors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * {@code GET} and {@code HEAD} of a manifest that {@link ManifestCache} holds, answered on the
 * event loop by a route handler, after the access check and before the REST layer. Pulls of a few
 * popular tags are most of a registry's requests; the REST layer's per-request work (media types,
 * writers, its context) was most of what such an answer allocated, and so most of its CPU and of
 * the collections that stretched its slowest answers.
 *
 * <p>It answers only what it is sure of, exactly as {@link ManifestResource} would: the request's
 * own access decision covers pulling from the repository its route names, the reference its
 * route matched is a plain path segment (no percent-encoding), the cache holds the manifest, the {@code Accept}
 * header takes it, and a GET's pull is queued without waiting. Anything else goes on to
 * {@link ManifestResource}, which answers every case.
 */
@ApplicationScoped
public class CachedManifestReads {

    private final Manifests manifests;
    private final Counter answered;

    CachedManifestReads(Manifests manifests, MeterRegistry meters) {
        this.manifests = manifests;
        this.answered = Counter.builder("drydock.manifest_reads")
                .tag("served", "cache")
                .description("manifest GETs and HEADs answered from the cache on the event loop")
                .register(meters);
    }

    void register(@Observes Router router) {
        router.route("/v2/*").order(-80).handler(this::answer);
    }

    private void answer(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        boolean get = request.method() == HttpMethod.GET;
        Routes.Match match = ctx.get(Routes.Match.KEY);
        if (!(get || request.method() == HttpMethod.HEAD)
                || match == null
                || !match.route().name().equals("manifest.read")
                || !Decision.covers(ctx, match.repository(), Action.PULL)) {
            ctx.next();
            return;
        }
        RepositoryName repository = match.repository();
        String reference = match.reference();
        StoredManifest manifest = reference.indexOf('%') >= 0 ? null : manifests.kept(repository, reference);
        if (manifest == null
                || !ManifestResource.accepts(request.headers().getAll("Accept"), manifest)
                || (get && !manifests.pulledWithoutWaiting(repository, reference, manifest, Actors.of(request)))) {
            ctx.next();
            return;
        }
        answered.increment();
        HttpServerResponse response = ctx.response();
        for (Map.Entry<String, String> header :
                ManifestResource.answerHeaders(manifest).entrySet()) {
            response.putHeader(header.getKey(), header.getValue());
        }
        if (get) {
            response.end(Buffer.buffer(manifest.content()));
        } else {
            response.putHeader("Content-Length", Integer.toString(manifest.content().length))
                    .end();
        }
    }
}
