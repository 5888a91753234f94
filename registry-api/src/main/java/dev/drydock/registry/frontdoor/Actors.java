package dev.drydock.registry.frontdoor;

import dev.drydock.events.Actor;
import dev.drydock.oci.http.ClientAddress;
import dev.drydock.oci.http.InternalHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The actor of an event, as the front door sees the caller. The access filter names the
 * authenticated user in {@link #USER} and {@link #TOKEN}; no client can set those itself.
 */
@ApplicationScoped
public class Actors {

    public static final String USER = InternalHeaders.USER;
    public static final String TOKEN = InternalHeaders.TOKEN;
    private static final ClientAddress CLIENTS = new ClientAddress(ConfigProvider.getConfig()
            .getOptionalValues("drydock.trusted-proxies", String.class)
            .orElse(List.of()));

    public static Actor of(HttpServerRequest request) {
        return new Actor(
                request.getHeader(USER), request.getHeader(TOKEN), address(request), request.getHeader("User-Agent"));
    }

    public static Actor of(HttpServerRequest request, String user, String tokenId) {
        return new Actor(user, tokenId, address(request), request.getHeader("User-Agent"));
    }

    /**
     * The client's address by the rule every service shares ({@link ClientAddress}): a trusted
     * proxy (loopback, and {@code drydock.trusted-proxies}) may name the client it acts for in
     * {@code X-Forwarded-For}, so login throttling and the audit log see the visitor. (Quarkus' own
     * forwarding support was tried and dropped: its trusted-proxy check did DNS lookups that
     * stalled requests for 5 s.)
     */
    public static String address(HttpServerRequest request) {
        if (request.remoteAddress() == null) {
            return null;
        }
        return CLIENTS.of(request.remoteAddress().hostAddress(), request.getHeader("X-Forwarded-For"));
    }

    /** Whether the peer is a trusted proxy, whose {@code X-Forwarded-*} headers may be believed. */
    public static boolean fromTrustedProxy(HttpServerRequest request) {
        return request.remoteAddress() != null
                && CLIENTS.isTrusted(request.remoteAddress().hostAddress());
    }

    void stripIdentityHeaders(@Observes Router router) {
        router.route().order(-200).handler(ctx -> {
            ctx.request().headers().remove(USER);
            ctx.request().headers().remove(TOKEN);
            ctx.next();
        });
    }
}
