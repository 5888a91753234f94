package dev.drydock.oci.http;

import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every {@code /v2} and {@code /api/v1} route the front door answers, in one place: its methods,
 * its path, the service that owns it and what a caller needs before its handler runs. A request
 * that matches no route here is answered 404 before any handler sees it; the access check and the
 * handlers take the repository from the same {@link Match}, never from a second look at the path.
 * Paths are matched only once {@link RequestPath} has found them canonical. layer-store decides
 * its own requests by the same table.
 */
public final class Routes {

    /** The service whose handler answers the route. */
    public enum Owner {
        REGISTRY_API,
        LAYER_STORE,
        AUDIT_SERVICE
    }

    /** What must be decided before the handler runs. */
    public enum Need {
        /** Nothing: the route is open to everyone, or checks a secret it is given (sign-in, sign-up, sign-out). */
        PUBLIC,
        /** Any valid registry token, anonymous ones included ({@code /v2/}, the catalog, which filters by it). */
        TOKEN,
        /** A registry token granting {@link Route#action()} on the repository the path names. */
        REPOSITORY,
        /** A signed-in caller (session, password or personal access token): the resource decides with {@code Callers}. */
        ACCOUNT,
        /** The read API: {@code ReadAccess} decides and mints the viewer token audit-service acts on. */
        VIEWER
    }

    /** @param namesReference whether the path ends in a reference ({@link Match#reference()}) */
    public record Route(
            String name,
            Set<String> methods,
            Pattern path,
            Owner owner,
            Need need,
            Action action,
            boolean namesReference) {

        static Route of(String name, String methods, String path, Owner owner, Need need, Action action) {
            return new Route(
                    name,
                    Set.of(methods.split(",")),
                    Pattern.compile(path),
                    owner,
                    need,
                    action,
                    path.contains(REFERENCE));
        }
    }

    /**
     * A request matched to its route; {@code repository} is set for the routes that act on one,
     * {@code reference} (the path's last segment as the client sent it: a tag, digest or upload
     * id) for the {@code /v2} routes that name one.
     */
    public record Match(Route route, RepositoryName repository, String reference) {

        public static final String KEY = Match.class.getName();
    }

    private static final String NAME = "(?<name>.+)";
    private static final String SEGMENT = "[^/]+";
    private static final String REFERENCE = "(?<reference>[^/]+)";

    // spotless:off (a table reads best as one route per line)
    private static final List<Route> TABLE = List.of(
            // The distribution API. Uploads first: "uploads" is not a digest.
            Route.of("v2.base", "GET,HEAD", "^/v2/?$", Owner.REGISTRY_API, Need.TOKEN, null),
            Route.of("v2.catalog", "GET,HEAD", "^/v2/_catalog$", Owner.REGISTRY_API, Need.TOKEN, null),
            Route.of("upload.start", "POST", "^/v2/" + NAME + "/blobs/uploads/?$", Owner.LAYER_STORE, Need.REPOSITORY, Action.PUSH),
            Route.of("upload.status", "GET", "^/v2/" + NAME + "/blobs/uploads/" + REFERENCE + "$", Owner.LAYER_STORE, Need.REPOSITORY, Action.PUSH),
            Route.of("upload.write", "PATCH,PUT", "^/v2/" + NAME + "/blobs/uploads/" + REFERENCE + "$", Owner.LAYER_STORE, Need.REPOSITORY, Action.PUSH),
            // cancelling one's own upload is part of pushing: the spec's clients hold only pull,push
            Route.of("upload.cancel", "DELETE", "^/v2/" + NAME + "/blobs/uploads/" + REFERENCE + "$", Owner.LAYER_STORE, Need.REPOSITORY, Action.PUSH),
            Route.of("blob.read", "GET,HEAD", "^/v2/" + NAME + "/blobs/" + REFERENCE + "$", Owner.LAYER_STORE, Need.REPOSITORY, Action.PULL),
            Route.of("blob.delete", "DELETE", "^/v2/" + NAME + "/blobs/" + REFERENCE + "$", Owner.LAYER_STORE, Need.REPOSITORY, Action.DELETE),
            Route.of("manifest.read", "GET,HEAD", "^/v2/" + NAME + "/manifests/" + REFERENCE + "$", Owner.REGISTRY_API, Need.REPOSITORY, Action.PULL),
            Route.of("manifest.push", "PUT", "^/v2/" + NAME + "/manifests/" + REFERENCE + "$", Owner.REGISTRY_API, Need.REPOSITORY, Action.PUSH),
            Route.of("manifest.delete", "DELETE", "^/v2/" + NAME + "/manifests/" + REFERENCE + "$", Owner.REGISTRY_API, Need.REPOSITORY, Action.DELETE),
            Route.of("tags.list", "GET,HEAD", "^/v2/" + NAME + "/tags/list$", Owner.REGISTRY_API, Need.REPOSITORY, Action.PULL),
            Route.of("referrers.list", "GET,HEAD", "^/v2/" + NAME + "/referrers/" + REFERENCE + "$", Owner.REGISTRY_API, Need.REPOSITORY, Action.PULL),
            // The portal's REST API: identity and repository writes here, reads at audit-service.
            Route.of("sessions", "POST,DELETE", "^/api/v1/sessions$", Owner.REGISTRY_API, Need.PUBLIC, null),
            Route.of("users.create", "POST", "^/api/v1/users$", Owner.REGISTRY_API, Need.PUBLIC, null),
            Route.of("users.me", "GET", "^/api/v1/users/me$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("tokens", "GET,POST", "^/api/v1/tokens$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("tokens.revoke", "DELETE", "^/api/v1/tokens/" + SEGMENT + "$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("organizations.create", "POST", "^/api/v1/organizations$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("organizations.members", "GET", "^/api/v1/organizations/" + SEGMENT + "/members$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("organizations.member", "PUT,DELETE", "^/api/v1/organizations/" + SEGMENT + "/members/" + SEGMENT + "$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("organizations.teams", "GET", "^/api/v1/organizations/" + SEGMENT + "/teams$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("organizations.team", "PUT", "^/api/v1/organizations/" + SEGMENT + "/teams/" + SEGMENT + "$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("repositories.create", "POST", "^/api/v1/repositories$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("repositories.star", "PUT,DELETE", "^/api/v1/repositories/.+/star$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("repositories.tag", "PUT", "^/api/v1/repositories/.+/tags/" + SEGMENT + "$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("repositories.change", "PATCH,DELETE", "^/api/v1/repositories/.+$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("prune", "GET,POST", "^/api/v1/prune$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("system.gc", "GET,POST", "^/api/v1/system/gc$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("storage", "GET", "^/api/v1/storage$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("retention", "GET,PUT,DELETE", "^/api/v1/retention$", Owner.REGISTRY_API, Need.ACCOUNT, null),
            Route.of("repositories.read", "GET", "^/api/v1/repositories(/.+)?$", Owner.AUDIT_SERVICE, Need.VIEWER, null),
            Route.of("search", "GET", "^/api/v1/search$", Owner.AUDIT_SERVICE, Need.VIEWER, null),
            // Docker Hub's search, which docker search and podman search ask first
            Route.of("search.hub", "GET", "^/v1/search$", Owner.AUDIT_SERVICE, Need.VIEWER, null),
            Route.of("audit", "GET", "^/api/v1/audit$", Owner.AUDIT_SERVICE, Need.VIEWER, null),
            Route.of("audit.verify", "GET", "^/api/v1/audit/verify$", Owner.AUDIT_SERVICE, Need.VIEWER, null),
            Route.of("projections.rebuild", "POST", "^/api/v1/admin/projections/rebuild$", Owner.AUDIT_SERVICE, Need.VIEWER, null));
    // spotless:on

    private Routes() {}

    public static List<Route> all() {
        return TABLE;
    }

    /** Whether the path is one the table governs: everything under {@code /v2}, {@code /v1} and {@code /api/v1}. */
    public static boolean governs(String path) {
        return path.equals("/v2")
                || path.startsWith("/v2/")
                || path.equals("/v1")
                || path.startsWith("/v1/")
                || path.equals("/api/v1")
                || path.startsWith("/api/v1/");
    }

    /**
     * The route of a request, with its repository parsed.
     *
     * @throws OciException NAME_INVALID when the route acts on a repository whose name is not valid
     */
    public static Optional<Match> match(String method, String path) {
        for (Route route : TABLE) {
            if (!route.methods().contains(method)) {
                continue;
            }
            Matcher m = route.path().matcher(path);
            if (m.matches()) {
                RepositoryName repository =
                        route.need() == Need.REPOSITORY ? RepositoryName.parse(m.group("name")) : null;
                String reference = route.namesReference() ? m.group("reference") : null;
                return Optional.of(new Match(route, repository, reference));
            }
        }
        return Optional.empty();
    }
}
