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

    private static String address(HttpServerRequest request) {
        return request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }

    void stripIdentityHeaders(@Observes Router router) {
        router.route().order(-200).handler(ctx -> {
            ctx.request().headers().remove(USER);
            ctx.request().headers().remove(TOKEN);
            ctx.next();
        });
    }
}
