package dev.drydock.registry.auth;

import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.Accounts;
import dev.drydock.registry.identity.IdentityException;
import dev.drydock.registry.identity.PersonalAccessTokens;
import dev.drydock.registry.identity.TokenScope;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The caller of the REST API: {@code Authorization: Bearer} with a session token (from
 * {@code /api/v1/sessions}, or renewed with its refresh token at {@code /token}), or Basic with a
 * password or personal access token. Registry, redirect and viewer tokens are refused here: they
 * carry access to repositories, not to an account.
 */
@ApplicationScoped
public class Callers {

    private final RegistryTokens tokens;
    private final RevokedTokens revoked;
    private final SignIn signIn;
    private final Accounts accounts;
    private final PersonalAccessTokens personalTokens;

    Callers(
            RegistryTokens tokens,
            RevokedTokens revoked,
            SignIn signIn,
            Accounts accounts,
            PersonalAccessTokens personalTokens) {
        this.personalTokens = personalTokens;
        this.tokens = tokens;
        this.revoked = revoked;
        this.signIn = signIn;
        this.accounts = accounts;
    }

    public Principal resolve(HttpServerRequest request) throws SQLException {
        String authorization = request.getHeader("Authorization");
        if (authorization == null) {
            return Principal.ANONYMOUS;
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return signIn.basic(authorization, Actors.of(request));
        }
        Optional<String> bearer = Bearer.token(authorization);
        if (bearer.isPresent()) {
            RegistryToken token = tokens.verify(bearer.get())
                    .filter(t -> t.purpose() == RegistryToken.Purpose.SESSION
                            && !t.subject().isEmpty())
                    .filter(t -> !revoked.ended(t))
                    .orElseThrow(
                            () -> new AuthenticationFailed(
                                    "the token is invalid, expired, revoked or not a session token (sign in at /api/v1/sessions)"));
            var account = accounts.find(token.subject())
                    .orElseThrow(() -> new AuthenticationFailed("the token's user no longer exists"));
            if (token.tokenId() == null) {
                return Principal.of(account);
            }
            TokenScope scope = personalTokens
                    .liveScope(token.tokenId())
                    .orElseThrow(() -> new AuthenticationFailed("the token is invalid, expired or revoked"));
            return new Principal(account, token.tokenId(), scope);
        }
        throw new AuthenticationFailed("unsupported Authorization scheme");
    }

    /** A signed-in caller; a personal access token counts only where {@code tokenAllowed}. */
    public Principal require(HttpServerRequest request, boolean tokenAllowed) throws SQLException {
        Principal principal = resolve(request);
        if (principal.isAnonymous()) {
            throw new AuthenticationFailed("sign in first");
        }
        if (!tokenAllowed && principal.tokenId() != null) {
            throw new IdentityException(403, "This needs a password sign-in; personal access tokens cannot do it.");
        }
        return principal;
    }
}
