package dev.drydock.layerstore.access;

import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.http.InternalHeaders;
import dev.drydock.oci.http.MetricsReaders;
import dev.drydock.oci.http.RequestPath;
import dev.drydock.oci.http.Routes;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.Challenge;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.TokenVerifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * layer-store trusts no caller: every blob request carries a registry token (in
 * {@code Authorization: Bearer}, as the front door forwards it, or as {@code ?token=} in a
 * redirect URL) granting what it does. Tokens are verified with the public keys registry-api
 * publishes as a JWKS, so no secret is shared. The actor of events is the token's subject.
 */
@ApplicationScoped
public class TokenCheck {

    /** Set on the routing context when a requested mount's source may not be read: upload instead. */
    public static final String MOUNT_DENIED = "drydock.mount-denied";

    private final Vertx vertx;
    private final LayerStoreConfig config;
    private final TokenVerifier verifier;
    private final TokenRevocations revocations;

    private static final MetricsReaders METRICS_READERS = new MetricsReaders(ConfigProvider.getConfig()
            .getOptionalValues("drydock.metrics.allowed-from", String.class)
            .orElse(List.of()));

    TokenCheck(Vertx vertx, LayerStoreConfig config, TokenRevocations revocations) {
        this.revocations = revocations;
        this.vertx = vertx;
        this.config = config;
        this.verifier = new TokenVerifier(config.jwksUrl(), config.tokenService());
    }

    void register(@Observes Router router) {
        // every path, so that no other spelling of a /v2 path slips past on the way to a blob route
        router.route().order(-100).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.headers().remove(InternalHeaders.USER);
        request.headers().remove(InternalHeaders.TOKEN);
        String path = RequestPath.of(request.uri());
        Optional<String> problem = RequestPath.problem(path);
        if (problem.isPresent()) {
            HttpExchange.fail(ctx, new OciException(ErrorCode.NAME_INVALID, problem.get()));
            return;
        }
        if (METRICS_READERS.refuses(
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
                path,
                ctx.normalizedPath(),
                request.path())) {
            ctx.response().setStatusCode(404).end(); // layer-store listens beyond loopback in redirect mode
            return;
        }
        if (!Routes.governs(path)) {
            ctx.next();
            return;
        }
        Routes.Match match;
        try {
            match = Routes.match(request.method().name(), path).orElse(null);
        } catch (OciException e) {
            HttpExchange.fail(ctx, e);
            return;
        }
        if (match == null || match.route().owner() != Routes.Owner.LAYER_STORE) {
            HttpExchange.fail(
                    ctx,
                    new OciException(
                            ErrorCode.NAME_UNKNOWN,
                            404,
                            "there is no " + request.method().name() + " " + path + " here",
                            null));
            return;
        }
        ctx.put(Routes.Match.KEY, match);
        Optional<String> token = token(request);
        if (token.isEmpty()) {
            challenge(ctx, null, "a registry token is required");
            return;
        }
        Optional<RegistryToken> verified = verifier.verifyWithKnownKeys(token.get());
        if (verified.isPresent() || !verifier.namesUnknownKey(token.get())) {
            decide(ctx, verified);
            return;
        }
        // A key this instance has not seen: wait for the JWKS off the event loop, then decide.
        request.pause();
        vertx.executeBlocking(() -> verifier.verify(token.get()), false)
                .onComplete(result -> decide(ctx, result.succeeded() ? result.result() : Optional.empty()));
    }

    /**
     * The repository a blob handler acts on: the one this check matched the request to and decided
     * on, never a second reading of the path. A handler whose
     * own reading of the name differs is refused (fail closed).
     */
    public static String decidedRepository(RoutingContext ctx, String pathName) {
        Routes.Match match = ctx.get(Routes.Match.KEY);
        RepositoryName named = RepositoryName.parse(pathName);
        if (match == null || match.repository() == null || !match.repository().equals(named)) {
            throw new OciException(ErrorCode.DENIED, "no access decision covers this request");
        }
        return match.repository().value();
    }

    /**
     * Registry tokens for every blob route; a redirect token (from a 307's URL) only to read a
     * blob. The action is the route's, on the repository the route parsed.
     */
    private void decide(RoutingContext ctx, Optional<RegistryToken> token) {
        HttpServerRequest request = ctx.request();
        Routes.Match match = ctx.get(Routes.Match.KEY);
        Optional<RegistryToken> usable = token.filter(t -> t.purpose() == RegistryToken.Purpose.REGISTRY
                        || (t.purpose() == RegistryToken.Purpose.REDIRECT
                                && match.route().name().equals("blob.read")))
                .filter(t -> !revocations.isRevoked(t));
        if (usable.isEmpty()) {
            challenge(ctx, "invalid_token", "the registry token is invalid, expired, revoked or not for this request");
            return;
        }
        if (!usable.get().allows(match.repository().value(), match.route().action())) {
            challenge(ctx, "insufficient_scope", "the registry token does not grant access to this resource");
            return;
        }
        String from = request.getParam("from");
        if (from != null && !mayPull(usable.get(), from)) {
            ctx.put(MOUNT_DENIED, true);
        }
        if (!usable.get().subject().isEmpty()) {
            request.headers().set(InternalHeaders.USER, usable.get().subject());
        }
        if (usable.get().tokenId() != null) {
            request.headers().set(InternalHeaders.TOKEN, usable.get().tokenId().toString());
        }
        ctx.next();
    }

    /**
     * 401 with the challenge registry-api answers, so that a client whose upload an ingress sent
     * straight here fetches a token for this repository from the front door's {@code /token} and retries.
     */
    private void challenge(RoutingContext ctx, String error, String message) {
        HttpServerRequest request = ctx.request();
        Routes.Match match = ctx.get(Routes.Match.KEY);
        String repository = match == null || match.repository() == null
                ? null
                : match.repository().value();
        Action action = match == null
                ? Action.requiredFor(request.method().name())
                : match.route().action();
        String realm = config.tokenRealm().orElseGet(() -> frontDoor(request) + "/token");
        ctx.response()
                .putHeader(
                        "WWW-Authenticate",
                        Challenge.bearer(
                                realm,
                                config.tokenService(),
                                repository,
                                action,
                                Challenge.mountSource(
                                        request.method().name(), request.getParam("mount"), request.getParam("from")),
                                error));
        HttpExchange.fail(ctx, new OciException(ErrorCode.UNAUTHORIZED, message));
    }

    /** The address the client used: the front door's or the ingress's, as forwarded, else this request's own. */
    private static String frontDoor(HttpServerRequest request) {
        return Challenge.origin(
                HttpExchange.fromTrustedProxy(request),
                request.getHeader("X-Forwarded-Proto"),
                request.getHeader("X-Forwarded-Host"),
                request.scheme(),
                request.authority() == null
                        ? request.host()
                        : request.authority().toString());
    }

    private static boolean mayPull(RegistryToken token, String repository) {
        try {
            return token.allows(RepositoryName.parse(repository).value(), Action.PULL);
        } catch (OciException e) {
            return false;
        }
    }

    /**
     * The token of a platform admin's garbage collection, minted by registry-api for nothing else,
     * from the request's {@code Authorization} header only; empty for anything else. Blocking: it
     * may fetch the JWKS.
     */
    public Optional<RegistryToken> storageAdmin(HttpServerRequest request) {
        return Bearer.token(request.getHeader("Authorization"))
                .flatMap(verifier::verify)
                .filter(t -> t.purpose() == RegistryToken.Purpose.STORAGE_ADMIN
                        && !t.subject().isEmpty())
                .filter(t -> !revocations.isRevoked(t));
    }

    /**
     * A registry token from the request's {@code Authorization} header that may pull from
     * {@code repository}, as a blob read needs; empty for anything else. Blocking: it may fetch the JWKS.
     */
    public Optional<RegistryToken> pullToken(HttpServerRequest request, String repository) {
        return Bearer.token(request.getHeader("Authorization"))
                .flatMap(verifier::verify)
                .filter(t -> t.purpose() == RegistryToken.Purpose.REGISTRY)
                .filter(t -> !revocations.isRevoked(t))
                .filter(t -> t.allows(repository, Action.PULL));
    }

    private static Optional<String> token(HttpServerRequest request) {
        return Bearer.token(request.getHeader("Authorization"))
                .or(() -> Optional.ofNullable(request.getParam("token")));
    }
}
