package dev.drydock.registry.frontdoor;

import dev.drydock.events.Actor;
import io.vertx.core.http.HttpServerRequest;

/** The actor of an event, as the front door sees the caller. */
public final class Actors {

    private Actors() {
    }

    public static Actor of(HttpServerRequest request) {
        String address = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return Actor.anonymous(address, request.getHeader("User-Agent"));
    }
}
