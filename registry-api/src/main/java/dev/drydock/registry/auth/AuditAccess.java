package dev.drydock.registry.auth;

import dev.drydock.oci.token.Action;

import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.registry.identity.IdentityException;
import dev.drydock.registry.identity.Organizations;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.sql.SQLException;

/**
 * Who may read the audit log through the front door: platform admins all of it; the owner or an
 * organisation admin the records of their namespace ({@code organization=}) or of a repository
 * they administer ({@code repository=}). Everyone else is refused, before audit-service is asked.
 */
@ApplicationScoped
public class AuditAccess {

    private final Callers callers;
    private final Permissions permissions;
    private final Organizations organizations;

    AuditAccess(Callers callers, Permissions permissions, Organizations organizations) {
        this.callers = callers;
        this.permissions = permissions;
        this.organizations = organizations;
    }

    void register(@Observes Router router) {
        router.routeWithRegex("^/api/v1/audit(/.*)?$").order(-20).blockingHandler(this::check, false);
    }

    private void check(RoutingContext ctx) {
        try {
            Principal caller = callers.require(ctx.request(), true);
            if (!mayRead(caller, ctx.request())) {
                throw new IdentityException(403, "You may read the audit log only of namespaces and repositories you administer.");
            }
            ctx.next();
        } catch (IdentityException e) {
            problem(ctx, e.status(), e.getMessage());
        } catch (AuthenticationFailed e) {
            if (e.retryAfter() != null) {
                ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            }
            problem(ctx, e.status(), e.getMessage());
        } catch (SQLException e) {
            ctx.fail(e);
        }
    }

    private boolean mayRead(Principal caller, HttpServerRequest request) throws SQLException {
        if (caller.account().admin()) {
            return true;
        }
        if (request.path().startsWith("/api/v1/audit/")) {
            return false;
        }
        String repository = request.getParam("repository");
        String organization = request.getParam("organization");
        if (repository != null) {
            try {
                return permissions.granted(caller, RepositoryName.parse(repository)).contains(Action.DELETE);
            } catch (OciException e) {
                return false;
            }
        }
        if (organization != null) {
            return organization.equals(caller.username())
                    || organizations.roleOf(organization, caller.account().id()).filter("admin"::equals).isPresent();
        }
        return false;
    }

    private static void problem(RoutingContext ctx, int status, String detail) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                .end(new JsonObject().put("type", "about:blank").put("status", status).put("detail", detail).encode());
    }
}
