package dev.drydock.registry.frontdoor;

import dev.drydock.events.Actor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The actor of an event, as the front door sees the caller. The access filter names the
 * authenticated user in {@link #USER} and {@link #TOKEN}; no client can set those itself.
 */
@ApplicationScoped
public class Actors {

    public static final String USER = "X-Drydock-User";
    public static final String TOKEN = "X-Drydock-Token";

    public static Actor of(HttpServerRequest request) {
        return new Actor(request.getHeader(USER), request.getHeader(TOKEN), address(request),
                request.getHeader("User-Agent"));
    }

    public static Actor of(HttpServerRequest request, String user, String tokenId) {
        return new Actor(user, tokenId, address(request), request.getHeader("User-Agent"));
    }

    /**
     * The client's address. A request from this machine's loopback (the portal, a local reverse
     * proxy) may name the client it acts for in {@code X-Forwarded-For}; its last entry is taken,
     * so login throttling and the audit log see the visitor. (Quarkus' own forwarding support was
     * tried and dropped: its trusted-proxy check did DNS lookups that stalled requests for 5 s.)
     */
    private static String address(HttpServerRequest request) {
        if (request.remoteAddress() == null) {
            return null;
        }
        String remote = request.remoteAddress().hostAddress();
        String forwardedFor = request.getHeader("X-Forwarded-For");
        if (forwardedFor != null && isLoopback(remote)) {
            String[] hops = forwardedFor.split(",");
            String client = hops[hops.length - 1].strip();
            if (!client.isEmpty() && client.length() <= 45) {
                return client;
            }
        }
        return remote;
    }

    private static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1");
    }

    void stripIdentityHeaders(@Observes Router router) {
        router.route().order(-200).handler(ctx -> {
            ctx.request().headers().remove(USER);
            ctx.request().headers().remove(TOKEN);
            ctx.next();
        });
    }
}
