package dev.drydock.registry.frontdoor;

import dev.drydock.oci.BlobLayout;
import dev.drydock.oci.Digest;
import dev.drydock.oci.OciException;
import dev.drydock.oci.http.Routes;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.auth.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Blob GETs in {@code local} mode (what {@code ./drydock up} runs): the front door sends the file
 * itself, straight from the store directory it shares with layer-store, with the kernel's zero copy
 * ({@code sendfile(2)}), instead of relaying every byte that layer-store sends it.
 *
 * <p>layer-store still decides: the caller's request goes to it first as a {@code HEAD}, with the
 * caller's credentials and {@code Range}, so the blob is sent only if layer-store confirms that
 * this repository links it, and with exactly its status, headers and range. Any other answer
 * (404, 416, a refusal, layer-store down), a file that is not there or not of the confirmed size,
 * and a file removed before it could be opened, all go on to the proxy, which answers what
 * layer-store answers. An open file stays readable even if garbage collection removes it meanwhile.
 * Where the front door does not share the store (the cluster), it is configured {@code proxy}.
 */
@ApplicationScoped
public class StoreReads {

    private static final Logger LOG = Logger.getLogger(StoreReads.class);
    /** The caller's headers a confirming HEAD carries (with the forwarding headers the proxy vouches for). */
    private static final Set<String> HEAD_HEADERS =
            Set.of("authorization", "range", "user-agent", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host");

    private static final Pattern CONTENT_RANGE = Pattern.compile("^bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})$");

    private final RegistryConfig config;
    private final ForwardingProxy proxy;
    private final Counter fromStore;
    private final Counter forwarded;
    private final AtomicBoolean warned = new AtomicBoolean();

    StoreReads(RegistryConfig config, ForwardingProxy proxy, MeterRegistry meters) {
        this.config = config;
        this.proxy = proxy;
        this.fromStore = Counter.builder("drydock.blob_reads")
                .tag("served", "store")
                .description("blob GETs the front door sent from the store directory itself")
                .register(meters);
        this.forwarded = Counter.builder("drydock.blob_reads")
                .tag("served", "proxy")
                .description("blob GETs in local mode that went on to layer-store through the proxy")
                .register(meters);
    }

    void register(@Observes Router router) {
        if (config.blobReads() != RegistryConfig.BlobReads.LOCAL) {
            return;
        }
        if (config.storeDir().isEmpty()) {
            throw new IllegalStateException("drydock.registry.blob-reads=local needs drydock.registry.store-dir"
                    + " (DRYDOCK_REGISTRY_STORE_DIR): layer-store's storage directory");
        }
        router.route(HttpMethod.GET, "/v2/*").order(-11).handler(this::read);
    }

    private void read(RoutingContext ctx) {
        Routes.Match match = ctx.get(Routes.Match.KEY);
        var decision = Decision.of(ctx);
        if (match == null
                || !match.route().name().equals("blob.read")
                || decision.isEmpty()
                || decision.get().action() != Action.PULL) {
            ctx.next(); // not a blob read, or nothing decided: the proxy answers (and refuses what was not decided)
            return;
        }
        HttpServerRequest in = ctx.request();
        if (in.getHeader("Content-Length") != null || in.getHeader("Transfer-Encoding") != null) {
            ctx.next(); // a GET with a body: the proxy forwards it whole, as it always has
            return;
        }
        String path = in.path();
        Digest digest;
        try {
            digest = Digest.parsePathSegment(path.substring(path.lastIndexOf('/') + 1));
        } catch (OciException e) {
            ctx.next(); // layer-store words the error
            return;
        }
        RequestOptions head = proxy.forwarded(ctx, Routes.Owner.LAYER_STORE, config.layerStoreUrl())
                .setMethod(HttpMethod.HEAD)
                .setConnectTimeout(ForwardingProxy.CONNECT_TIMEOUT_MS)
                .setIdleTimeout(ForwardingProxy.IDLE_TIMEOUT_MS);
        // Only what layer-store decides on, and nothing that frames a body: a HEAD that carried the
        // caller's Content-Length would leave layer-store waiting for that many bytes on a pooled
        // connection, and read the start of the next request sent on it as that body.
        for (String name : List.copyOf(head.getHeaders().names())) {
            if (!HEAD_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                head.getHeaders().remove(name);
            }
        }
        proxy.client().request(head).compose(HttpClientRequest::send).onComplete(result -> {
            if (ctx.response().closed()) {
                return;
            }
            if (result.failed() || !send(ctx, digest, result.result())) {
                forwarded.increment();
                ctx.next();
            }
        });
    }

    /** Sends the blob as layer-store's answer describes it; false if the proxy must answer instead. */
    private boolean send(RoutingContext ctx, Digest digest, HttpClientResponse answer) {
        int status = answer.statusCode();
        long length = number(answer.getHeader("Content-Length"));
        long offset = 0;
        long size = length;
        if (status == 206) {
            Matcher range = CONTENT_RANGE.matcher(String.valueOf(answer.getHeader("Content-Range")));
            if (!range.matches()) {
                return false;
            }
            offset = Long.parseLong(range.group(1));
            size = Long.parseLong(range.group(3));
            if (Long.parseLong(range.group(2)) - offset + 1 != length) {
                return false;
            }
        } else if (status != 200) {
            return false;
        }
        if (length < 0 || !digest.toString().equals(answer.getHeader("Docker-Content-Digest"))) {
            return false;
        }
        Path file = BlobLayout.file(BlobLayout.blobs(config.storeDir().get()), digest);
        try {
            if (Files.size(file) != size) {
                return false;
            }
        } catch (NoSuchFileException e) {
            return false; // collected since layer-store looked, or stored elsewhere: layer-store answers
        } catch (IOException e) {
            if (warned.compareAndSet(false, true)) {
                LOG.warnf(
                        "blob files are not readable under %s (%s): blob GETs go through layer-store",
                        config.storeDir().get(), e.getMessage());
            }
            return false;
        }
        HttpServerResponse out = ctx.response();
        out.setStatusCode(status);
        List<String> copied = List.copyOf(answer.headers().names());
        ForwardingProxy.copyHeaders(answer.headers(), out.headers());
        out.sendFile(file.toString(), offset, length)
                .onSuccess(sent -> fromStore.increment())
                .onFailure(failure -> {
                    if (out.headWritten()) {
                        out.reset();
                        return;
                    }
                    // removed between the size's check and the opening: layer-store answers (404)
                    copied.forEach(out.headers()::remove); // what earlier handlers set stays
                    out.setStatusCode(200);
                    forwarded.increment();
                    ctx.next();
                });
        return true;
    }

    private static long number(String digits) {
        return digits != null && digits.matches("\\d{1,18}") ? Long.parseLong(digits) : -1;
    }
}
