package dev.drydock.registry.auth;

import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.http.Routes;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.Challenge;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.frontdoor.Actors;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;

/**
 * Every {@code /v2} request needs a registry token granting what its route in {@link Routes}
 * needs on the repository that route parsed: pull to read, push to write, delete to delete
 * ({@code /v2/} and the catalog need any valid token, anonymous ones included). The decision is
 * left for the handler as a {@link Decision}. Without one the answer is 401 with the {@code WWW-Authenticate} challenge naming the
 * scope to ask for, so that clients fetch a token and retry. A token lacking the scope gets the
 * same 401 ({@code insufficient_scope}) whether the repository is private or does not exist.
 * Runs before every other /v2 handler, the blob proxy included, and never blocks.
 */
@ApplicationScoped
public class AccessFilter {

    /** The route hands the proxy a rewritten URI here when a mount must not be attempted. */
    public static final String FORWARD_URI = "drydock.forward-uri";

    private final RegistryTokens tokens;
    private final RevokedTokens revoked;
    private final RegistryConfig config;

    AccessFilter(RegistryTokens tokens, RevokedTokens revoked, RegistryConfig config) {
        this.tokens = tokens;
        this.revoked = revoked;
        this.config = config;
    }

    void register(@Observes Router router) {
        router.route("/v2/*").order(-90).handler(this::check);
        router.route("/v2").order(-90).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Routes.Match match = ctx.get(Routes.Match.KEY);
        if (match == null
                || (match.route().need() != Routes.Need.TOKEN && match.route().need() != Routes.Need.REPOSITORY)) {
            // RouteGate matched every /v2 request it let through; none of them is open without a token
            reject(ctx, new OciException(ErrorCode.NAME_UNKNOWN, 404, "there is no such route", null));
            return;
        }
        RepositoryName repository = match.repository();
        Action action = match.route().action();
        String name = repository == null ? null : repository.value();
        Optional<RegistryToken> token = bearer(request)
                .flatMap(tokens::verify)
                .filter(t -> t.purpose() == RegistryToken.Purpose.REGISTRY
                        || (t.purpose() == RegistryToken.Purpose.SESSION && repository == null))
                .filter(t -> !revoked.ended(t));
        if (token.isEmpty()) {
            challenge(ctx, name, action, bearer(request).isPresent() ? "invalid_token" : null);
            return;
        }
        RegistryToken verified = token.get();
        if (repository != null && !verified.allows(name, action)) {
            challenge(ctx, name, action, "insufficient_scope");
            return;
        }
        if (!verified.subject().isEmpty()) {
            request.headers().set(Actors.USER, verified.subject());
        }
        if (verified.tokenId() != null) {
            request.headers().set(Actors.TOKEN, verified.tokenId().toString());
        }
        ctx.put(RegistryToken.class.getName(), verified);
        if (repository != null) {
            ctx.put(Decision.KEY, new Decision(repository, action, verified));
        }
        withoutForbiddenMount(ctx, verified);
        ctx.next();
    }

    /** A mount from a repository the caller may not pull falls back to a plain upload, as the spec says. */
    private static void withoutForbiddenMount(RoutingContext ctx, RegistryToken token) {
        HttpServerRequest request = ctx.request();
        String from = request.getParam("from");
        if (request.method() != HttpMethod.POST || request.getParam("mount") == null || from == null) {
            return;
        }
        boolean readable;
        try {
            readable = token.allows(RepositoryName.parse(from).value(), Action.PULL);
        } catch (OciException e) {
            readable = false;
        }
        if (!readable) {
            ctx.put(FORWARD_URI, request.path());
        }
    }

    private static Optional<String> bearer(HttpServerRequest request) {
        return Bearer.token(request.getHeader("Authorization"));
    }

    private void challenge(RoutingContext ctx, String repository, Action action, String error) {
        HttpServerRequest request = ctx.request();
        String realm = config.tokenRealm()
                .orElseGet(() -> Challenge.origin(
                                Actors.fromTrustedProxy(request),
                                request.getHeader("X-Forwarded-Proto"),
                                request.getHeader("X-Forwarded-Host"),
                                request.scheme(),
                                String.valueOf(request.authority()))
                        + "/token");
        String mountSource =
                Challenge.mountSource(request.method().name(), request.getParam("mount"), request.getParam("from"));
        ctx.response()
                .putHeader(
                        "WWW-Authenticate",
                        Challenge.bearer(realm, config.tokenService(), repository, action, mountSource, error));
        String message = error == null
                ? "authentication required"
                : error.equals("invalid_token")
                        ? "the token is invalid, expired or revoked"
                        : "the token does not grant access to this resource";
        reject(ctx, new OciException(ErrorCode.UNAUTHORIZED, message));
    }

    private static void reject(RoutingContext ctx, OciException e) {
        ctx.response().setStatusCode(e.status()).putHeader("Content-Type", OciException.CONTENT_TYPE);
        if (ctx.request().method() == HttpMethod.HEAD) {
            ctx.response().end();
        } else {
            ctx.response().end(e.body());
        }
    }
}
