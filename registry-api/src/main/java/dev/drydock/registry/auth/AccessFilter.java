package dev.drydock.registry.auth;

import dev.drydock.oci.token.RegistryToken;

import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.Challenge;

import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.frontdoor.Actors;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every {@code /v2} request needs a registry token granting what it does: pull to read, push to
 * write, delete to delete ({@code /v2/} and the catalog need any valid token, anonymous ones
 * included). Without one the answer is 401 with the {@code WWW-Authenticate} challenge naming the
 * scope to ask for, so that clients fetch a token and retry. A token lacking the scope gets the
 * same 401 ({@code insufficient_scope}) whether the repository is private or does not exist.
 * Runs before every other /v2 handler, the blob proxy included, and never blocks.
 */
@ApplicationScoped
public class AccessFilter {

    /** The route hands the proxy a rewritten URI here when a mount must not be attempted. */
    public static final String FORWARD_URI = "drydock.forward-uri";
    private static final Pattern REPOSITORY_PATH = Pattern.compile("^/v2/(.+)/(manifests|blobs|tags|referrers)/.*$");

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
        Matcher m = REPOSITORY_PATH.matcher(request.path());
        String repository = null;
        Action action = null;
        if (m.matches()) {
            try {
                repository = RepositoryName.parse(m.group(1)).value();
            } catch (OciException e) {
                reject(ctx, e);
                return;
            }
            action = Action.requiredFor(request.method().name());
        }
        Optional<RegistryToken> token = bearer(request).flatMap(tokens::verify)
                .filter(t -> !revoked.isRevoked(t.tokenId()));
        if (token.isEmpty()) {
            challenge(ctx, repository, action, bearer(request).isPresent() ? "invalid_token" : null);
            return;
        }
        RegistryToken verified = token.get();
        if (repository != null && !verified.allows(repository, action)) {
            challenge(ctx, repository, action, "insufficient_scope");
            return;
        }
        if (!verified.subject().isEmpty()) {
            request.headers().set(Actors.USER, verified.subject());
        }
        if (verified.tokenId() != null) {
            request.headers().set(Actors.TOKEN, verified.tokenId().toString());
        }
        ctx.put(RegistryToken.class.getName(), verified);
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
        String authorization = request.getHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(authorization.substring(7).trim());
    }

    private void challenge(RoutingContext ctx, String repository, Action action, String error) {
        HttpServerRequest request = ctx.request();
        String realm = config.tokenRealm().orElseGet(() -> Challenge.origin(request.getHeader("X-Forwarded-Proto"),
                request.getHeader("X-Forwarded-Host"), request.scheme(), String.valueOf(request.authority())) + "/token");
        String mountSource = Challenge.mountSource(request.method().name(), request.getParam("mount"), request.getParam("from"));
        ctx.response().putHeader("WWW-Authenticate",
                Challenge.bearer(realm, config.tokenService(), repository, action, mountSource, error));
        String message = error == null ? "authentication required"
                : error.equals("invalid_token") ? "the token is invalid, expired or revoked"
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
