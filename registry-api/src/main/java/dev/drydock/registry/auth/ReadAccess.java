package dev.drydock.registry.auth;

import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.http.Routes;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.identity.IdentityException;
import dev.drydock.registry.identity.Organizations;
import dev.drydock.registry.identity.Role;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read API (audit-service) learns who is asking only from a short-lived viewer token minted
 * here, whatever credentials the caller brought: its {@code access} claim lists the namespaces
 * ({@code namespace:*} for platform admins) and single repositories the caller may pull, and for
 * the audit log what part of it they may read. audit-service verifies it with the JWKS, like
 * layer-store, so reaching it directly gains nothing.
 *
 * <p>The audit log: platform admins all of it; the owner or an organisation admin the records of
 * their namespace ({@code organization=}) or of a repository they administer
 * ({@code repository=}). Everyone else is refused here, before audit-service is asked.
 */
@ApplicationScoped
public class ReadAccess {

    /** Routing-context key of the viewer token the proxy sends on. */
    public static final String VIEWER_TOKEN = "drydock.viewer-token";

    static final Duration VIEWER_TOKEN_LIFETIME = Duration.ofMinutes(1);
    /** A viewer token is reused while it has this long left: one signature (and one verification) a minute per viewer. */
    private static final Duration REUSE_WHILE = Duration.ofSeconds(30);

    private static final int MAX_CACHED = 10_000;
    private static final List<String> PULL = List.of("pull");
    private static final List<String> READ = List.of("read");

    private final Callers callers;
    private final Permissions permissions;
    private final Organizations organizations;
    private final RegistryTokens tokens;
    private final Map<String, Minted> minted = new ConcurrentHashMap<>();

    private record Minted(String token, Instant expiresAt) {}

    ReadAccess(Callers callers, Permissions permissions, Organizations organizations, RegistryTokens tokens) {
        this.callers = callers;
        this.permissions = permissions;
        this.organizations = organizations;
        this.tokens = tokens;
    }

    /**
     * Decides on the read API's routes as the route table matched them at the front door
     * ({@code RouteGate}), not on a second reading of the path. Only those go to a worker thread
     * (the decision reads the database); every other {@code /api/v1} request stays on the event loop.
     * Docker Hub's {@code /v1/search} is one of them.
     */
    void register(@Observes Router router) {
        router.route("/api/v1/*").order(-20).handler(this::decide);
        router.route("/v1/*").order(-20).handler(this::decide);
    }

    private void decide(RoutingContext ctx) {
        Routes.Match match = ctx.get(Routes.Match.KEY);
        if (match == null || match.route().need() != Routes.Need.VIEWER) {
            ctx.next();
            return;
        }
        Decision decision = switch (match.route().name()) {
            case "audit" -> request -> audit(request, false);
            case "audit.verify" -> request -> audit(request, true);
            case "projections.rebuild" -> this::maintain;
            default -> this::browse;
        };
        ctx.request().pause(); // the proxy that sends it on takes the body from here
        ctx.vertx()
                .executeBlocking(() -> token(decision.decide(ctx.request())), false)
                .onComplete(granted -> sendOnOrRefuse(ctx, granted));
    }

    /** Who the caller is and what the read API may show them; refusals are thrown. */
    private record Viewer(Principal caller, List<RegistryToken.Access> access) {}

    private interface Decision {
        Viewer decide(HttpServerRequest request) throws SQLException;
    }

    /** On the event loop: sends the request on with the viewer token granted, or answers the refusal. */
    private static void sendOnOrRefuse(RoutingContext ctx, AsyncResult<String> granted) {
        if (granted.succeeded()) {
            ctx.put(VIEWER_TOKEN, granted.result());
            ctx.next();
        } else if (granted.cause() instanceof IdentityException e) {
            problem(ctx, e.status(), e.getMessage());
        } else if (granted.cause() instanceof AuthenticationFailed e) {
            if (e.retryAfter() != null) {
                ctx.response()
                        .putHeader(
                                "Retry-After",
                                Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            }
            problem(ctx, e.status(), e.getMessage());
        } else {
            ctx.fail(granted.cause());
        }
    }

    /**
     * The viewer token for exactly this caller and access, reused while it is fresh. The caller
     * was authenticated (and a revoked token refused) on this request; only the signature is reused.
     */
    private String token(Viewer viewer) {
        String key = viewer.caller().username() + "|" + viewer.caller().tokenId() + "|" + viewer.access();
        Instant now = Instant.now();
        Minted known = minted.get(key);
        if (known != null && known.expiresAt().isAfter(now.plus(REUSE_WHILE))) {
            return known.token();
        }
        if (minted.size() >= MAX_CACHED) {
            minted.clear();
        }
        Instant expiresAt = now.plus(VIEWER_TOKEN_LIFETIME);
        String token = tokens.issue(
                RegistryToken.Purpose.VIEWER,
                viewer.caller().username(),
                viewer.caller().tokenId(),
                viewer.access(),
                expiresAt);
        minted.put(key, new Minted(token, expiresAt));
        return token;
    }

    private Viewer browse(HttpServerRequest request) throws SQLException {
        Principal caller = callers.resolve(request);
        return new Viewer(caller, readable(caller));
    }

    private Viewer audit(HttpServerRequest request, boolean verify) throws SQLException {
        Principal caller = callers.require(request, true);
        RegistryToken.Access grant = auditGrant(caller, request, verify);
        if (grant == null) {
            throw new IdentityException(
                    403, "You may read the audit log only of namespaces and repositories you administer.");
        }
        List<RegistryToken.Access> access = new ArrayList<>(readable(caller));
        access.add(grant);
        return new Viewer(caller, access);
    }

    /** Rebuilding projections: platform admins, signed in with their password. */
    private Viewer maintain(HttpServerRequest request) throws SQLException {
        Principal caller = callers.require(request, false);
        if (!caller.account().admin()) {
            throw new IdentityException(403, "Only platform admins maintain the projections.");
        }
        return new Viewer(
                caller,
                List.of(
                        new RegistryToken.Access("namespace", "*", PULL),
                        new RegistryToken.Access("audit", "*", READ),
                        new RegistryToken.Access("projections", "*", List.of("rebuild"))));
    }

    /** The namespaces and repositories, beyond the public ones, that the caller may pull. */
    private List<RegistryToken.Access> readable(Principal caller) throws SQLException {
        List<RegistryToken.Access> access = new ArrayList<>();
        if (caller.isAnonymous()) {
            return access;
        }
        if (caller.account().admin()) {
            access.add(new RegistryToken.Access("namespace", "*", PULL));
            return access;
        }
        access.add(new RegistryToken.Access("namespace", caller.username(), PULL));
        for (Organizations.ReadScope scope :
                organizations.readScopes(caller.account().id())) {
            if (scope.repositories() == null) {
                access.add(new RegistryToken.Access("namespace", scope.organization(), PULL));
            } else {
                scope.repositories().forEach(r -> access.add(new RegistryToken.Access("repository", r, PULL)));
            }
        }
        return access;
    }

    /** What of the audit log the caller may read; verifying the whole chain is the platform admins'. */
    private RegistryToken.Access auditGrant(Principal caller, HttpServerRequest request, boolean verify)
            throws SQLException {
        if (caller.account().admin()) {
            return new RegistryToken.Access("audit", "*", READ);
        }
        if (verify) {
            return null;
        }
        String repository = request.getParam("repository");
        String organization = request.getParam("organization");
        if (repository != null) {
            try {
                RepositoryName name = RepositoryName.parse(repository);
                return permissions.granted(caller, name).contains(Action.DELETE)
                        ? new RegistryToken.Access("audit", "repository:" + name.value(), READ)
                        : null;
            } catch (OciException e) {
                return null;
            }
        }
        if (organization != null
                && (organization.equals(caller.username())
                        || organizations
                                .roleOf(organization, caller.account().id())
                                .filter(Role.ADMIN::equals)
                                .isPresent())) {
            return new RegistryToken.Access("audit", "organization:" + organization, READ);
        }
        return null;
    }

    private static void problem(RoutingContext ctx, int status, String detail) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/problem+json")
                .end(new JsonObject()
                        .put("type", "about:blank")
                        .put("status", status)
                        .put("detail", detail)
                        .encode());
    }
}
