package dev.drydock.layerstore;

import dev.drydock.events.Actor;
import dev.drydock.layerstore.storage.StorageFailure;
import dev.drydock.layerstore.storage.StorageSpace;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.http.ClientAddress;
import dev.drydock.oci.http.InternalHeaders;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/** What every route of the blob API does the same way: who is calling, and how failures answer. */
public final class HttpExchange {

    private static final Logger LOG = Logger.getLogger(HttpExchange.class);

    private static final ClientAddress CLIENTS = new ClientAddress(ConfigProvider.getConfig()
            .getOptionalValues("drydock.trusted-proxies", String.class)
            .orElse(List.of()));

    private HttpExchange() {}

    /** Whether the peer is a trusted proxy, whose {@code X-Forwarded-*} headers may be believed. */
    public static boolean fromTrustedProxy(HttpServerRequest request) {
        return request.remoteAddress() != null
                && CLIENTS.isTrusted(request.remoteAddress().hostAddress());
    }

    /** The caller by the rule all services share: forwarded addresses only from trusted proxies (loopback by default). */
    public static Actor actor(HttpServerRequest request) {
        String address = request.remoteAddress() == null
                ? null
                : CLIENTS.of(request.remoteAddress().hostAddress(), request.getHeader("X-Forwarded-For"));
        // set by the token check from the verified registry token, never taken from the client
        return new Actor(
                request.getHeader(InternalHeaders.USER),
                request.getHeader(InternalHeaders.TOKEN),
                address,
                request.getHeader(HttpHeaders.USER_AGENT));
    }

    /**
     * Answers a failure: the spec's error body for a client mistake, 507 for a full blob storage,
     * 503 for a failing one, a logged 500 for anything else.
     */
    public static void fail(RoutingContext ctx, Throwable failure) {
        HttpServerResponse response = ctx.response();
        if (failure instanceof HttpClosedException) {
            LOG.infof(
                    "%s %s: the client closed the connection before the body ended; nothing of it counts",
                    ctx.request().method(), ctx.request().path());
            return;
        }
        if (response.headWritten()) {
            LOG.warnf(
                    failure,
                    "failure after the answer had started: %s",
                    ctx.request().path());
            response.reset();
            return;
        }
        StorageFailure storage = StorageFailure.in(failure);
        if (storage != null && storage.outOfSpace()) {
            LOG.warnf(
                    "%s %s: the blob storage is full (%s); answered 507",
                    ctx.request().method(), ctx.request().path(), storage.getMessage());
            failure = StorageSpace.full("the blob storage is full; the upload was not stored");
        } else if (storage != null) {
            LOG.errorf(
                    storage,
                    "%s %s: the blob storage failed",
                    ctx.request().method(),
                    ctx.request().path());
            failure = new OciException(
                    ErrorCode.UNAVAILABLE, "the blob storage failed; nothing was stored, try again later");
        }
        if (failure instanceof OciException oci) {
            if (!ctx.request().isEnded()) {
                ctx.request().resume(); // an answer before the body ended: the rest is read and dropped
            }
            response.setStatusCode(oci.status()).putHeader(HttpHeaders.CONTENT_TYPE, OciException.CONTENT_TYPE);
            if (ctx.request().method().name().equals("HEAD")) {
                response.end();
            } else {
                response.end(oci.body());
            }
            return;
        }
        LOG.errorf(
                failure, "%s %s failed", ctx.request().method(), ctx.request().path());
        response.setStatusCode(500)
                .putHeader(HttpHeaders.CONTENT_TYPE, OciException.CONTENT_TYPE)
                .end("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"internal error\"}]}");
    }
}
