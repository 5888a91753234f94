package dev.drydock.registry.auth;

import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.oci.token.RegistryToken;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The access decision {@link AccessFilter} took for a {@code /v2} request: the repository and
 * action it allowed, and the token it allowed them to. A handler acts only on a repository for
 * which it finds a decision for its own action; anything else is refused (fail closed), so a
 * handler stays safe even if a request reached it by a path the filter did not see.
 */
public record Decision(RepositoryName repository, Action action, RegistryToken token) {

    static final String KEY = Decision.class.getName();
    private static final Logger LOG = Logger.getLogger(Decision.class);

    /**
     * The repository a handler may act on.
     *
     * @param pathName the name as the handler's own route parsed it
     * @throws OciException DENIED when no decision covers {@code action} on that name
     */
    public static RepositoryName require(RoutingContext ctx, String pathName, Action action) {
        RepositoryName named;
        try {
            named = RepositoryName.parse(pathName);
        } catch (OciException e) {
            named = null;
        }
        if (!covers(ctx, named, action)) {
            LOG.errorf(
                    "refused %s on %s: the access check decided %s",
                    action, pathName, ctx == null ? null : ctx.get(KEY));
            throw new OciException(ErrorCode.DENIED, "no access decision covers this request");
        }
        return named;
    }

    /** Whether this request's decision allows exactly {@code action} on exactly {@code repository}. */
    public static boolean covers(RoutingContext ctx, RepositoryName repository, Action action) {
        Decision decision = ctx == null ? null : ctx.get(KEY);
        return decision != null
                && repository != null
                && decision.action() == action
                && decision.repository().equals(repository);
    }

    /** The decision taken on this request's repository, if any (the blob proxy forwards nothing else). */
    public static Optional<Decision> of(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(KEY));
    }

    /** The token the access check verified for a {@code /v2} request, for handlers of routes that need only a token. */
    public static RegistryToken token(RoutingContext ctx) {
        RegistryToken token = ctx == null ? null : ctx.get(RegistryToken.class.getName());
        if (token == null) {
            throw new OciException(ErrorCode.DENIED, "no access decision covers this request");
        }
        return token;
    }
}
