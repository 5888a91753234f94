package dev.drydock.registry.auth;

import dev.drydock.registry.identity.Account;
import dev.drydock.registry.identity.Accounts;
import dev.drydock.registry.identity.PersonalAccessTokens;
import dev.drydock.registry.identity.Secrets;
import dev.drydock.registry.identity.TokenScope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Long-lived refresh tokens of a login (docker/podman with {@code offline_token}, OAuth2
 * {@code access_type=offline}, portal sessions). Stored as a hash; logout revokes; one issued
 * for a personal access token dies with that token.
 */
@ApplicationScoped
@ActivateRequestContext
public class RefreshTokens {

    private final Accounts accounts;
    private final PersonalAccessTokens personalTokens;

    RefreshTokens(Accounts accounts, PersonalAccessTokens personalTokens) {
        this.accounts = accounts;
        this.personalTokens = personalTokens;
    }

    /** A refresh token as handed out: its secret, and the id a session token names it by. */
    public record Issued(UUID id, String secret) {}

    /** A live refresh token, the principal it stands for, and whether it is a portal sign-in's. */
    public record Redeemed(UUID id, Principal principal, boolean portal) {}

    /** A refresh token just revoked, and whose it was. */
    public record Revoked(UUID id, String username) {}

    /** @param portal whether this is a portal sign-in, whose refresh token renews a session */
    public Issued issue(Principal principal, Duration lifetime, boolean portal) {
        String secret = Secrets.generate("ddrt_");
        RefreshTokenEntity token = new RefreshTokenEntity();
        token.id = UUID.randomUUID();
        token.accountId = principal.account().id();
        token.secretHash = Secrets.hash(secret);
        token.viaToken = principal.tokenId();
        token.expiresAt = Instant.now().plus(lifetime);
        token.portal = portal;
        QuarkusTransaction.requiringNew().run(token::persist);
        return new Issued(token.id, secret);
    }

    /** The principal a live refresh token stands for (its personal access token must be live too). */
    public Optional<Redeemed> redeem(String secret) {
        Instant now = Instant.now();
        Optional<RefreshTokenEntity> token = RefreshTokenEntity.<RefreshTokenEntity>find(
                        "secretHash", Secrets.hash(secret))
                .firstResultOptional()
                .filter(t -> t.revokedAt == null && t.expiresAt.isAfter(now));
        if (token.isEmpty()) {
            return Optional.empty();
        }
        TokenScope scope = null;
        if (token.get().viaToken != null) {
            Optional<TokenScope> live = personalTokens.liveScope(token.get().viaToken);
            if (live.isEmpty()) {
                return Optional.empty();
            }
            scope = live.get();
        }
        Optional<Account> account = accounts.find(token.get().accountId);
        if (account.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Redeemed(
                token.get().id, new Principal(account.get(), token.get().viaToken, scope), token.get().portal));
    }

    /** Revokes a refresh token; the account it belonged to, if it was live. */
    public Optional<Revoked> revoke(String secret) {
        String hash = Secrets.hash(secret);
        return QuarkusTransaction.requiringNew().call(() -> {
            Optional<RefreshTokenEntity> token = RefreshTokenEntity.<RefreshTokenEntity>find(
                            "secretHash = ?1 and revokedAt is null", hash)
                    .withLock(LockModeType.PESSIMISTIC_WRITE)
                    .firstResultOptional();
            if (token.isEmpty()) {
                return Optional.<Revoked>empty();
            }
            token.get().revokedAt = Instant.now();
            return accounts.find(token.get().accountId).map(a -> new Revoked(token.get().id, a.username()));
        });
    }
}
