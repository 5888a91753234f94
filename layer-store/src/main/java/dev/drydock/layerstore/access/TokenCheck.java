package dev.drydock.layerstore.access;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.RegistryToken;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

    private static final Logger LOG = Logger.getLogger(TokenCheck.class);
    /** Set on the routing context when a requested mount's source may not be read: upload instead. */
    public static final String MOUNT_DENIED = "drydock.mount-denied";
    private static final Pattern PATH = Pattern.compile("^/v2/(.+)/blobs/.*$");
    private static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final LayerStoreConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, ECKey> keys = new ConcurrentHashMap<>();
    private volatile Instant lastRefresh = Instant.EPOCH;
    private final RegistryToken.Cache verified = new RegistryToken.Cache();

    TokenCheck(Vertx vertx, LayerStoreConfig config) {
        this.vertx = vertx;
        this.config = config;
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
            HttpExchange.fail(ctx, new OciException(ErrorCode.UNAUTHORIZED, "a registry token is required"));
            return;
        }
        Optional<RegistryToken> verified = verify(token.get());
        if (verified.isPresent() || !unknownKey(token.get())) {
            decide(ctx, verified);
            return;
        }
        // A key this instance has not seen: fetch the JWKS once, off the event loop, then decide.
        request.pause();
        vertx.executeBlocking(() -> {
            refreshKeys();
            return verify(token.get());
        }, false).onComplete(result -> decide(ctx, result.succeeded() ? result.result() : Optional.empty()));
    }

    private void decide(RoutingContext ctx, Optional<RegistryToken> token) {
        HttpServerRequest request = ctx.request();
        if (token.isEmpty()) {
            HttpExchange.fail(ctx, new OciException(ErrorCode.UNAUTHORIZED, "the registry token is invalid or expired"));
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
                HttpExchange.fail(ctx, new OciException(ErrorCode.UNAUTHORIZED,
                        "the registry token does not grant access to this resource"));
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

    private static boolean mayPull(RegistryToken token, String repository) {
        try {
            return token.allows(RepositoryName.parse(repository).value(), Action.PULL);
        } catch (OciException e) {
            return false;
        }
    }

    private Optional<RegistryToken> verify(String token) {
        return verified.verify(token, config.tokenService(), kid -> Optional.ofNullable(keys.get(kid)));
    }

    private boolean unknownKey(String token) {
        try {
            String kid = com.nimbusds.jwt.SignedJWT.parse(token).getHeader().getKeyID();
            return kid != null && !keys.containsKey(kid)
                    && Instant.now().isAfter(lastRefresh.plus(MIN_REFRESH_INTERVAL));
        } catch (java.text.ParseException e) {
            return false;
        }
    }

    private void refreshKeys() {
        lastRefresh = Instant.now();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(config.jwksUrl())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warnf("the JWKS at %s answered %d", config.jwksUrl(), response.statusCode());
                return;
            }
            for (JWK key : JWKSet.parse(response.body()).getKeys()) {
                if (key instanceof ECKey ec) {
                    keys.put(ec.getKeyID(), ec);
                }
            }
        } catch (Exception e) {
            LOG.warnf("cannot read the JWKS at %s: %s", config.jwksUrl(), e.getMessage());
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
