package dev.drydock.registry.auth;

import dev.drydock.registry.identity.AccountEntity;
import dev.drydock.registry.identity.Accounts;
import dev.drydock.registry.identity.PersonalAccessTokenEntity;
import dev.drydock.registry.identity.Secrets;
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

    RefreshTokens(Accounts accounts) {
        this.accounts = accounts;
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
        Optional<Object[]> found = RefreshTokenEntity.getEntityManager()
                .createQuery(
                        "select r, a, t from RefreshTokenEntity r join AccountEntity a on a.id = r.accountId"
                                + " left join PersonalAccessTokenEntity t on t.id = r.viaToken where r.secretHash = ?1",
                        Object[].class)
                .setParameter(1, Secrets.hash(secret))
                .getResultStream()
                .findFirst();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        RefreshTokenEntity token = (RefreshTokenEntity) found.get()[0];
        AccountEntity account = (AccountEntity) found.get()[1];
        PersonalAccessTokenEntity via = (PersonalAccessTokenEntity) found.get()[2];
        if (token.revokedAt != null
                || !token.expiresAt.isAfter(now)
                || (token.viaToken != null && (via == null || !via.liveAt(now)))) {
            return Optional.empty();
        }
        return Optional.of(new Redeemed(
                token.id,
                new Principal(account.account(), token.viaToken, via == null ? null : via.scope),
                token.portal));
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
