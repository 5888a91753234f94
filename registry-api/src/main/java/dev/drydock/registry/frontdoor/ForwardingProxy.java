package dev.drydock.registry.frontdoor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.http.Routes;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.Challenge;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.auth.AccessFilter;
import dev.drydock.registry.auth.Decision;
import dev.drydock.registry.auth.ReadAccess;
import dev.drydock.registry.auth.RegistryTokens;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The front door's streaming proxy: blob requests go to layer-store (or, in redirect mode, blob
 * GETs are sent there with a 307), the read API to audit-service. Bodies are piped with
 * back-pressure in both directions; nothing is buffered.
 *
 * <p>A forwarded request never outlives its caller: when the caller's connection closes before
 * the answer is complete (a client that vanished mid-upload, a reader that went away), the
 * forwarded request is reset, which closes its connection and gives the pool its slot back. A
 * request waits at most {@link #CONNECT_TIMEOUT_MS} for a connection (a full pool answers 503 at
 * once rather than hanging), and a request without a body at most {@link #IDLE_TIMEOUT_MS} for the
 * next bytes of its answer. An upload has no such limit (layer-store answers only once the body is
 * in), nor has anything a limit on the whole: a 10 GiB layer takes as long as it takes while bytes
 * flow. A caller that stops sending without closing is cut by the server's idle timeout
 * ({@code quarkus.http.idle-timeout}), which resets its forwarded request as above.
 */
@ApplicationScoped
public class ForwardingProxy {

    private static final Logger LOG = Logger.getLogger(ForwardingProxy.class);
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host",
            "expect");

    private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);
    static final int POOL_SIZE = 64;
    static final long CONNECT_TIMEOUT_MS = 5_000;
    static final long IDLE_TIMEOUT_MS = 60_000;

    /**
     * A client per event loop: its connections are made on, and stay on, the loop of the requests
     * that use them, so a body passes from the caller's socket to layer-store's on one thread. (One
     * shared client hands a request whatever idle connection it has, often another loop's: every
     * piece of a 1 GiB body then crossed threads, and proxying cost half as much CPU again.)
     */
    private final ThreadLocal<HttpClient> clients;

    private final RegistryConfig config;
    private final RegistryTokens tokens;
    /**
     * Redirect tokens by caller and repository, handed out again for the first half of their
     * lifetime: each redirect then costs neither an ECDSA signature here nor a verification in
     * layer-store (which remembers tokens it has verified), and every URL given out stays valid
     * for at least half the configured lifetime.
     */
    private final Cache<List<String>, String> redirectTokens;

    /** Forwarded requests not yet complete, over every event loop: the pools' use. */
    private final AtomicInteger inFlight = new AtomicInteger();

    ForwardingProxy(Vertx vertx, RegistryConfig config, RegistryTokens tokens) {
        // Answers are decoded in pieces of up to 128 KiB, as requests are (quarkus.http.limits.max-chunk-size):
        // at the default 8 KiB, a proxied 1 GiB blob GET cost 131,000 writes to the caller's socket.
        HttpClientOptions options = new HttpClientOptions()
                .setMaxPoolSize(POOL_SIZE)
                .setKeepAlive(true)
                .setMaxChunkSize(128 * 1024)
                .setConnectTimeout((int) CONNECT_TIMEOUT_MS);
        this.clients = ThreadLocal.withInitial(() -> vertx.createHttpClient(options));
        this.config = config;
        this.tokens = tokens;
        this.redirectTokens = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(config.blobRedirectLifetime().dividedBy(2))
                .build();
    }

    /** Forwarded requests under way now (reported by the front door's health check). */
    public int inFlight() {
        return inFlight.get();
    }

    void register(@Observes Router router) {
        if (config.blobReads() == RegistryConfig.BlobReads.REDIRECT) {
            router.route(HttpMethod.GET, "/v2/*").order(-11).handler(this::redirect);
        }
        // Dispatched by the route's owner in the table (a repository named team/blobs has manifests
        // of its own): blob routes are layer-store's, the read API audit-service's, the rest ours.
        router.route().order(-10).handler(ctx -> {
            Routes.Match match = ctx.get(Routes.Match.KEY);
            Routes.Owner owner =
                    match == null ? Routes.Owner.REGISTRY_API : match.route().owner();
            switch (owner) {
                case LAYER_STORE -> forward(ctx, owner, config.layerStoreUrl());
                case AUDIT_SERVICE -> forward(ctx, owner, config.auditUrl());
                default -> ctx.next();
            }
        });
    }

    /**
     * Blob GET in redirect mode: once layer-store confirms the repository links the blob, a 307 to
     * layer-store's own URL carrying a short-lived token for exactly this repository.
     */
    private void redirect(RoutingContext ctx) {
        Routes.Match match = ctx.get(Routes.Match.KEY);
        var decision = Decision.of(ctx);
        if (match == null
                || !match.route().name().equals("blob.read")
                || decision.isEmpty()
                || decision.get().action() != Action.PULL) {
            ctx.next(); // uploads, or nothing decided: the proxy answers (and refuses what was not decided)
            return;
        }
        String repository = decision.get().repository().value();
        // the redirect token inherits its origin (personal access token, sign-in), so that revoking
        // that origin ends the redirect URLs too; the cache keys on the origin for the same reason.
        // It also carries the moment access was decided for the caller's token that made it, so
        // that access withdrawn after that ends it: a token made for a caller whose access was
        // decided later (the same user) is refused no later than the caller's own
        RegistryToken caller = decision.get().token();
        String user = caller.subject();
        List<String> key =
                List.of(user, String.valueOf(caller.tokenId()), String.valueOf(caller.sessionId()), repository);
        String token = redirectTokens.get(
                key,
                k -> tokens.issue(
                        RegistryToken.Purpose.REDIRECT,
                        user,
                        caller.tokenId(),
                        caller.sessionId(),
                        List.of(new RegistryToken.Access("repository", repository, List.of("pull"))),
                        Instant.now().plus(config.blobRedirectLifetime()),
                        caller.issuedAt()));
        URI target = config.layerStoreUrl();
        RequestOptions head = new RequestOptions()
                .setMethod(HttpMethod.HEAD)
                .setHost(target.getHost())
                .setPort(target.getPort())
                .setURI(ctx.request().path())
                .putHeader("Authorization", Bearer.header(token));
        clients.get().request(head).compose(HttpClientRequest::send).onComplete(result -> {
            if (result.failed() || result.result().statusCode() != 200) {
                if (result.succeeded() && result.result().statusCode() == 401) {
                    // refused since it was made (access withdrawn): the caller's next one is made anew
                    redirectTokens.invalidate(key);
                }
                ctx.next(); // let the proxy answer exactly what layer-store says
                return;
            }
            URI visible = config.layerStorePublicUrl().orElse(target);
            ctx.response()
                    .setStatusCode(307)
                    .putHeader("Location", visible.resolve(ctx.request().path()) + "?token=" + token)
                    .putHeader("Docker-Content-Digest", result.result().getHeader("Docker-Content-Digest"))
                    .putHeader("Content-Length", "0")
                    .end();
        });
    }

    private void forward(RoutingContext ctx, Routes.Owner owner, URI target) {
        HttpServerRequest in = ctx.request();
        if (owner == Routes.Owner.LAYER_STORE && Decision.of(ctx).isEmpty()) {
            // only requests the access check decided on go on; layer-store checks again
            OciException e = new OciException(ErrorCode.DENIED, "no access decision covers this request");
            ctx.response()
                    .setStatusCode(e.status())
                    .putHeader("Content-Type", OciException.CONTENT_TYPE)
                    .end(e.body());
            return;
        }
        in.pause();
        RequestOptions options = forwarded(ctx, owner, target);
        send(options, ctx).onSuccess(response -> relay(ctx, response)).onFailure(failure -> {
            LOG.warnf("%s %s could not be forwarded to %s: %s", in.method(), in.path(), target, failure.getMessage());
            HttpServerResponse out = ctx.response();
            if (!out.headWritten()) {
                OciException e =
                        new OciException(ErrorCode.UNAVAILABLE, "a service behind the front door is unavailable");
                out.setStatusCode(e.status())
                        .putHeader("Content-Type", OciException.CONTENT_TYPE)
                        .end(e.body());
            } else {
                out.reset();
            }
        });
    }

    /**
     * The request as it goes on to {@code target}: the caller's method, URI and end-to-end headers,
     * with the forwarding headers this service vouches for (and, to audit-service, the viewer token
     * in place of the caller's credentials).
     */
    RequestOptions forwarded(RoutingContext ctx, Routes.Owner owner, URI target) {
        HttpServerRequest in = ctx.request();
        String uri = ctx.get(AccessFilter.FORWARD_URI, in.uri());
        RequestOptions options = new RequestOptions()
                .setMethod(in.method())
                .setHost(target.getHost())
                .setPort(target.getPort())
                .setURI(uri)
                .setHeaders(MultiMap.caseInsensitiveMultiMap());
        copyHeaders(in.headers(), options.getHeaders());
        if (owner == Routes.Owner.AUDIT_SERVICE) {
            // audit-service sees the caller only as the viewer token; their credentials stay here.
            String viewer = ctx.get(ReadAccess.VIEWER_TOKEN);
            options.getHeaders().remove("Authorization");
            if (viewer != null) {
                options.putHeader("Authorization", Bearer.header(viewer));
            }
        }
        // The client as this service's rule found it, and nothing a client wrote itself.
        String client = Actors.address(in);
        options.getHeaders().remove("X-Forwarded-For");
        options.putHeader("X-Forwarded-For", client == null ? "" : client);
        String origin = Challenge.origin(
                Actors.fromTrustedProxy(in),
                in.getHeader("X-Forwarded-Proto"),
                in.getHeader("X-Forwarded-Host"),
                in.scheme(),
                in.authority() == null ? null : in.authority().toString());
        options.putHeader("X-Forwarded-Proto", origin.substring(0, origin.indexOf(':')));
        options.putHeader("X-Forwarded-Host", origin.substring(origin.indexOf("://") + 3));
        return options;
    }

    /** This event loop's client (its connections stay on the loop of the requests using them). */
    HttpClient client() {
        return clients.get();
    }

    private Future<HttpClientResponse> send(RequestOptions options, RoutingContext ctx) {
        HttpServerRequest in = ctx.request();
        // HTTP/2 has no Transfer-Encoding: a body of unknown length comes without any length header.
        boolean hasBody = in.getHeader("Content-Length") != null
                || in.getHeader("Transfer-Encoding") != null
                || (in.version() == HttpVersion.HTTP_2 && BODY_METHODS.contains(in.method()));
        options.setConnectTimeout(CONNECT_TIMEOUT_MS);
        if (!hasBody) {
            // not for uploads: layer-store says nothing until the whole body is in, however long it takes
            options.setIdleTimeout(IDLE_TIMEOUT_MS);
        }
        if (ctx.response().closed()) {
            return Future.failedFuture("the caller went away before its request was forwarded");
        }
        // Registered before the forward begins, so that it runs however early the caller goes: once
        // the caller's response is done with — sent, or its connection closed first. In the second
        // case the caller went away, and the forwarded request ends too, with its connection (the
        // pool makes a new one rather than reuse one in an unknown state). All of this runs on the
        // caller's event loop, which is also the forwarded request's (a client per loop).
        AtomicReference<HttpClientRequest> forwarded = new AtomicReference<>();
        AtomicBoolean answered = new AtomicBoolean();
        AtomicBoolean callerGone = new AtomicBoolean();
        inFlight.incrementAndGet();
        ctx.addEndHandler(ended -> {
            inFlight.decrementAndGet();
            if (ended.failed() && !answered.get()) {
                callerGone.set(true);
                HttpClientRequest out = forwarded.get();
                if (out != null) {
                    out.reset();
                }
            }
        });
        return clients.get().request(options).compose(out -> {
            forwarded.set(out);
            if (callerGone.get()) {
                out.reset();
                return Future.failedFuture("the caller went away while its request waited for a connection");
            }
            out.response().onSuccess(response -> response.end().onSuccess(v -> answered.set(true)));
            if (!hasBody) {
                in.resume();
                return out.send();
            }
            if (in.getHeader("Content-Length") == null) {
                out.setChunked(true);
            }
            return out.send(in);
        });
    }

    private static void relay(RoutingContext ctx, HttpClientResponse response) {
        HttpServerResponse out = ctx.response();
        out.setStatusCode(response.statusCode());
        out.setStatusMessage(response.statusMessage());
        copyHeaders(response.headers(), out.headers());
        if (response.getHeader("Content-Length") == null) {
            out.setChunked(true);
        }
        response.pipeTo(out);
    }

    static void copyHeaders(MultiMap from, MultiMap to) {
        from.forEach(header -> {
            if (!HOP_BY_HOP.contains(header.getKey().toLowerCase())) {
                to.add(header.getKey(), header.getValue());
            }
        });
    }
}
