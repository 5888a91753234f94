package dev.drydock.registry.auth;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.IdentityEvents;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.identity.Accounts;
import dev.drydock.registry.identity.Names;
import dev.drydock.registry.identity.PersonalAccessTokens;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Checks credentials: a user name with a password or a personal access token. Failures are
 * counted (and throttled, see {@link LoginThrottle}); a failure for an existing account is an
 * event naming it and the address, never the secret.
 */
@ApplicationScoped
public class SignIn {

    /** Longer passwords are refused unhashed: argon2 over megabytes would be a denial of service. */
    private static final int MAX_SECRET = Accounts.MAX_PASSWORD_LENGTH;

    private final Accounts accounts;
    private final PersonalAccessTokens tokens;
    private final LoginThrottle throttle;
    private final AgroalDataSource dataSource;

    SignIn(Accounts accounts, PersonalAccessTokens tokens, LoginThrottle throttle, AgroalDataSource dataSource) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.throttle = throttle;
        this.dataSource = dataSource;
    }

    /** The principal of an {@code Authorization: Basic} header. */
    public Principal basic(String authorization, Actor actor) throws SQLException {
        String decoded;
        try {
            decoded = new String(
                    Base64.getDecoder()
                            .decode(authorization.substring("Basic ".length()).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationFailed("malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new AuthenticationFailed("malformed Basic credentials");
        }
        return credentials(decoded.substring(0, colon), decoded.substring(colon + 1), actor);
    }

    /** A user name with a password or a personal access token. */
    public Principal credentials(String username, String secret, Actor actor) throws SQLException {
        if (Names.problem(username) != null || secret.length() > MAX_SECRET) {
            // no account has such a name, and no password is that long: refused before anything
            // (the database, argon2, the audit log) sees it
            throw new AuthenticationFailed("incorrect user name, password or token");
        }
        String address = actor.clientAddress();
        boolean password = !secret.startsWith(PersonalAccessTokens.PREFIX);
        Optional<Duration> wait = throttle.attempt(username, address, password);
        if (wait.isPresent()) {
            throw new AuthenticationFailed("too many failed sign-ins; try again later", wait.get());
        }
        Optional<Principal> principal;
        if (!password) {
            principal = tokens.authenticate(username, secret)
                    .map(use -> new Principal(use.account(), use.tokenId(), use.scope()));
        } else {
            principal = accounts.authenticate(username, secret).map(Principal::of);
        }
        if (principal.isEmpty()) {
            // only a real account's name becomes the event's subject: anything else (a repository's
            // name, say) would write into the audit log of whoever owns that name
            if (accounts.find(username).isPresent()) {
                Outbox.append(
                        dataSource,
                        Event.of(
                                DomainEvents.SOURCE,
                                actor,
                                new IdentityEvents.LoginFailed(username, "wrong password or token")));
            }
            throw new AuthenticationFailed("incorrect user name, password or token");
        }
        throttle.succeeded(username, address, password);
        return principal.get();
    }

    public void loggedIn(Principal principal, String method, Actor actor) throws SQLException {
        Outbox.append(
                dataSource,
                Event.of(DomainEvents.SOURCE, actor, new IdentityEvents.LoggedIn(principal.username(), method)));
    }
}
