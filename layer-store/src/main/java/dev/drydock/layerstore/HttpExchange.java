package dev.drydock.layerstore;

import dev.drydock.events.Actor;
import dev.drydock.oci.OciException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

/** What every route of the blob API does the same way: who is calling, and how failures answer. */
public final class HttpExchange {

    private static final Logger LOG = Logger.getLogger(HttpExchange.class);

    private HttpExchange() {
    }

    /** The caller as the front door saw it (it forwards the client address). */
    public static Actor actor(HttpServerRequest request) {
        String forwarded = request.getHeader("X-Forwarded-For");
        String address = forwarded != null ? forwarded.split(",")[0].trim()
                : request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        // set by the token check from the verified registry token, never taken from the client
        return new Actor(request.getHeader("X-Drydock-User"), request.getHeader("X-Drydock-Token"), address,
                request.getHeader(HttpHeaders.USER_AGENT));
    }

    /** Answers a failure: the spec's error body for a client mistake, a logged 500 for anything else. */
    public static void fail(RoutingContext ctx, Throwable failure) {
        HttpServerResponse response = ctx.response();
        if (failure instanceof io.vertx.core.http.HttpClosedException) {
            LOG.infof("%s %s: the client closed the connection before the body ended; nothing of it counts",
                    ctx.request().method(), ctx.request().path());
            return;
        }
        if (response.headWritten()) {
            LOG.warnf(failure, "failure after the answer had started: %s", ctx.request().path());
            response.reset();
            return;
        }
        if (failure instanceof OciException oci) {
            response.setStatusCode(oci.status()).putHeader(HttpHeaders.CONTENT_TYPE, OciException.CONTENT_TYPE);
            if (ctx.request().method().name().equals("HEAD")) {
                response.end();
            } else {
                response.end(oci.body());
            }
            return;
        }
        LOG.errorf(failure, "%s %s failed", ctx.request().method(), ctx.request().path());
        response.setStatusCode(500).putHeader(HttpHeaders.CONTENT_TYPE, OciException.CONTENT_TYPE)
                .end("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"internal error\"}]}");
    }
}
