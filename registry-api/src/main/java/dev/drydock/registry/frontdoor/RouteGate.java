package dev.drydock.registry.frontdoor;

import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.http.MetricsReaders;
import dev.drydock.oci.http.RequestPath;
import dev.drydock.oci.http.Routes;
import dev.drydock.oci.http.TextInput;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The first handler of every request: a path not in canonical form, or a query parameter holding
 * a control character or broken percent-encoding, is refused with 400; under {@code /v2} and
 * {@code /api/v1} a request no route of {@link Routes} takes is refused with 404, as is the metrics
 * endpoint to a caller {@link MetricsReaders} does not allow. What passes
 * carries its {@link Routes.Match} for the access check and the handlers.
 */
@ApplicationScoped
public class RouteGate {

    private final MetricsReaders metricsReaders;

    RouteGate(@ConfigProperty(name = "drydock.metrics.allowed-from") Optional<List<String>> metricsNetworks) {
        this.metricsReaders = new MetricsReaders(metricsNetworks.orElse(List.of()));
    }

    void register(@Observes Router router) {
        router.route().order(-300).handler(this::gate);
    }

    private void gate(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = RequestPath.of(request.uri());
        Optional<String> problem = RequestPath.problem(path);
        if (problem.isEmpty()) {
            problem = queryProblem(request);
        }
        if (problem.isPresent()) {
            refuse(ctx, 400, problem.get());
            return;
        }
        if (metricsReaders.refuses(
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
                path,
                ctx.normalizedPath(),
                request.path())) {
            refuse(ctx, 404, "there is no " + request.method().name() + " " + path);
            return;
        }
        if (Routes.governs(path)) {
            Optional<Routes.Match> match;
            try {
                match = Routes.match(request.method().name(), path);
            } catch (OciException e) {
                refuse(ctx, e);
                return;
            }
            if (match.isEmpty()) {
                refuse(ctx, 404, "there is no " + request.method().name() + " " + path);
                return;
            }
            ctx.put(Routes.Match.KEY, match.get());
        }
        ctx.next();
    }

    private static Optional<String> queryProblem(HttpServerRequest request) {
        try {
            for (Map.Entry<String, String> parameter : request.params()) {
                Optional<String> problem =
                        TextInput.problem(parameter.getKey()).or(() -> TextInput.problem(parameter.getValue()));
                if (problem.isPresent()) {
                    return Optional.of("query parameter " + printable(parameter.getKey()) + ": " + problem.get());
                }
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("the query string is not validly percent-encoded");
        }
    }

    private static String printable(String name) {
        return name.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && name.length() <= 64 ? name : "(unprintable)";
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        if (isRegistryPath(ctx.request().path())) {
            refuse(
                    ctx,
                    new OciException(
                            status == 404 ? ErrorCode.NAME_UNKNOWN : ErrorCode.NAME_INVALID, status, message, null));
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON);
        end(ctx, Json.encode(ProblemMapper.problem(status, ProblemMapper.title(status), message)));
    }

    private static void refuse(RoutingContext ctx, OciException e) {
        ctx.response().setStatusCode(e.status()).putHeader("Content-Type", OciException.CONTENT_TYPE);
        end(ctx, e.body());
    }

    private static void end(RoutingContext ctx, String body) {
        if (ctx.request().method() == HttpMethod.HEAD) {
            ctx.response().end();
        } else {
            ctx.response().end(body);
        }
    }

    private static boolean isRegistryPath(String path) {
        return path != null && (path.equals("/v2") || path.startsWith("/v2/"));
    }
}
