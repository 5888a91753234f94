package dev.drydock.layerstore.access;

import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
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

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern PATH = Pattern.compile("^/v2/(.+)/blobs/.*$");

    private final Vertx vertx;
    private final LayerStoreConfig config;
    private final TokenVerifier verifier;

    TokenCheck(Vertx vertx, LayerStoreConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.verifier = new TokenVerifier(config.jwksUrl(), config.tokenService());
    }

    void register(@Observes Router router) {
        router.route("/v2/*").order(-100).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.headers().remove("X-Drydock-User");
        request.headers().remove("X-Drydock-Token");
        if (!config.requireToken()) {
            ctx.next();
            return;
        }
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
        vertx.executeBlocking(() -> verifier.verify(token.get()), false).onComplete(result -> decide(ctx, result.succeeded() ? result.result() : Optional.empty()));
    }

    private void decide(RoutingContext ctx, Optional<RegistryToken> token) {
        HttpServerRequest request = ctx.request();
        if (token.isEmpty()) {
            challenge(ctx, "invalid_token", "the registry token is invalid or expired");
            return;
        }
        Matcher m = PATH.matcher(request.path());
        if (m.matches()) {
            String repository;
            try {
                repository = RepositoryName.parse(m.group(1)).value();
            } catch (OciException e) {
                HttpExchange.fail(ctx, e);
                return;
            }
            if (!token.get().allows(repository, Action.requiredFor(request.method().name()))) {
                challenge(ctx, "insufficient_scope", "the registry token does not grant access to this resource");
                return;
            }
            String from = request.getParam("from");
            if (from != null && !mayPull(token.get(), from)) {
                ctx.put(MOUNT_DENIED, true);
            }
        }
        if (!token.get().subject().isEmpty()) {
            request.headers().set("X-Drydock-User", token.get().subject());
        }
        if (token.get().tokenId() != null) {
            request.headers().set("X-Drydock-Token", token.get().tokenId().toString());
        }
        ctx.next();
    }

    /**
     * 401 with the challenge registry-api answers, so that a client whose upload an ingress sent
     * straight here fetches a token for this repository from the front door's {@code /token} and retries.
     */
    private void challenge(RoutingContext ctx, String error, String message) {
        HttpServerRequest request = ctx.request();
        Matcher m = PATH.matcher(request.path());
        String repository = null;
        if (m.matches()) {
            try {
                repository = RepositoryName.parse(m.group(1)).value();
            } catch (OciException e) {
                repository = null; // no scope to name: the challenge says where to get a token all the same
            }
        }
        String realm = config.tokenRealm().orElseGet(() -> frontDoor(request) + "/token");
        ctx.response().putHeader("WWW-Authenticate",
                Challenge.bearer(realm, config.tokenService(), repository, Action.requiredFor(request.method().name()),
                        Challenge.mountSource(request.method().name(), request.getParam("mount"), request.getParam("from")), error));
        HttpExchange.fail(ctx, new OciException(ErrorCode.UNAUTHORIZED, message));
    }

    /** The address the client used: the front door's or the ingress's, as forwarded, else this request's own. */
    private static String frontDoor(HttpServerRequest request) {
        return Challenge.origin(request.getHeader("X-Forwarded-Proto"), request.getHeader("X-Forwarded-Host"),
                request.scheme(), request.authority() == null ? request.host() : request.authority().toString());
    }

    private static boolean mayPull(RegistryToken token, String repository) {
        try {
            return token.allows(RepositoryName.parse(repository).value(), Action.PULL);
        } catch (OciException e) {
            return false;
        }
    }

    private static Optional<String> token(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).trim());
        }
        return Optional.ofNullable(request.getParam("token"));
    }
}
