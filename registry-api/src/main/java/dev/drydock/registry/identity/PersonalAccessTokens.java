package dev.drydock.registry.identity;

import dev.drydock.events.Actor;
import dev.drydock.events.IdentityEvents;
import dev.drydock.registry.DomainEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Personal access tokens, like Docker Hub's: a scope, an optional expiry, shown once at creation
 * and kept only as a hash of the secret ({@link Secrets}).
 */
@ApplicationScoped
@ActivateRequestContext
public class PersonalAccessTokens {

    /** A token may be made to expire at most this far ahead (or never). */
    private static final Duration MAX_LIFETIME = Duration.ofDays(3650);

    public static final String PREFIX = "ddpat_";
    private final DomainEvents events;

    PersonalAccessTokens(DomainEvents events) {
        this.events = events;
    }

    public record TokenInfo(
            UUID id,
            String name,
            TokenScope scope,
            Instant createdAt,
            Instant expiresAt,
            Instant lastUsedAt,
            Instant revokedAt) {}

    /** A token as used to sign in: whose it is and what it may do. */
    public record Use(Account account, UUID tokenId, TokenScope scope) {}

    public record Created(TokenInfo token, String secret) {}

    public Created create(Account account, String name, String scope, Instant expiresAt, Actor actor) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IdentityException(400, "A token needs a name of 1 to 100 characters.", "name");
        }
        TokenScope tokenScope = TokenScope.parse(scope)
                .orElseThrow(() -> new IdentityException(
                        400, "The scope must be one of read, read-write, read-write-delete.", "scope"));
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw new IdentityException(400, "The expiry must be in the future.", "expiresAt");
        }
        if (expiresAt != null && expiresAt.isAfter(Instant.now().plus(MAX_LIFETIME))) {
            throw new IdentityException(
                    400, "The expiry must be within ten years; leave it out for none.", "expiresAt");
        }
        String secret = Secrets.generate(PREFIX);
        PersonalAccessTokenEntity token = new PersonalAccessTokenEntity();
        token.id = UUID.randomUUID();
        token.accountId = account.id();
        token.name = name.strip();
        token.scope = tokenScope;
        token.secretHash = Secrets.hash(secret);
        token.createdAt = Instant.now();
        token.expiresAt = expiresAt;
        QuarkusTransaction.requiringNew().run(() -> {
            token.persist();
            events.emit(
                    actor,
                    new IdentityEvents.TokenCreated(
                            account.username(), token.id.toString(), token.name, scope, expiresAt));
        });
        return new Created(token.info(), secret);
    }

    /**
     * The token's owner and scope when the secret is a live token; records the use. The use is
     * recorded by one conditional update, never by writing back a row read before: a revocation
     * committed in between must neither be overwritten nor let this use through.
     */
    public Optional<Use> authenticate(String username, String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String hash = Secrets.hash(secret);
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = Instant.now();
            Optional<Object[]> found = PersonalAccessTokenEntity.getEntityManager()
                    .createQuery(
                            "select t, a from PersonalAccessTokenEntity t join AccountEntity a on a.id = t.accountId"
                                    + " where t.secretHash = ?1",
                            Object[].class)
                    .setParameter(1, hash)
                    .getResultStream()
                    .findFirst();
            if (found.isEmpty()) {
                return Optional.<Use>empty();
            }
            PersonalAccessTokenEntity token = (PersonalAccessTokenEntity) found.get()[0];
            AccountEntity owner = (AccountEntity) found.get()[1];
            if ((username != null && !owner.username.equals(username))
                    || PersonalAccessTokenEntity.update(
                                    "lastUsedAt = ?1 where id = ?2 and revokedAt is null"
                                            + " and (expiresAt is null or expiresAt > ?1)",
                                    now,
                                    token.id)
                            == 0) {
                return Optional.<Use>empty();
            }
            return Optional.of(new Use(owner.account(), token.id, token.scope));
        });
    }

    /** The scope of a live token; empty when it is revoked, expired or unknown. */
    public Optional<TokenScope> liveScope(UUID tokenId) {
        Instant now = Instant.now();
        return PersonalAccessTokenEntity.<PersonalAccessTokenEntity>findByIdOptional(tokenId)
                .filter(t -> t.liveAt(now))
                .map(t -> t.scope);
    }

    public List<TokenInfo> list(Account account) {
        return PersonalAccessTokenEntity.<PersonalAccessTokenEntity>list(
                        "accountId = ?1 order by createdAt desc", account.id())
                .stream()
                .map(PersonalAccessTokenEntity::info)
                .toList();
    }

    /** Revokes one of the account's tokens at once; false if it has no such live token. */
    public boolean revoke(Account account, UUID tokenId, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int revoked = PersonalAccessTokenEntity.update(
                    "revokedAt = ?1 where id = ?2 and accountId = ?3 and revokedAt is null",
                    Instant.now(),
                    tokenId,
                    account.id());
            if (revoked == 0) {
                return false;
            }
            events.emit(actor, new IdentityEvents.TokenRevoked(account.username(), tokenId.toString()));
            return true;
        });
    }
}
