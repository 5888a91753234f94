package dev.drydock.portal;

import dev.drydock.oci.http.MetricsReaders;
import dev.drydock.oci.http.RequestPath;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The portal listens on every address, so its Prometheus metrics ({@code /q/metrics}) are shut to
 * all but this machine and {@code drydock.metrics.allowed-from}, as the other services' are:
 * decided on the connection's own peer and on every reading of the path, before any route.
 */
@Singleton
public class MetricsGate {

    private final MetricsReaders readers;

    MetricsGate(@ConfigProperty(name = "drydock.metrics.allowed-from") Optional<List<String>> allowedFrom) {
        this.readers = new MetricsReaders(allowedFrom.orElse(List.of()));
    }

    void register(@Observes Router router) {
        router.route().order(-100).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (readers.refuses(
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
                RequestPath.of(request.uri()),
                ctx.normalizedPath(),
                request.path())) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        ctx.next();
    }
}
