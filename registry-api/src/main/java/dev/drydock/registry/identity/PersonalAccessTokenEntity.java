package dev.drydock.registry.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A personal access token; its secret only as a hash ({@link Secrets}). Updates write only the
 * columns changed ({@code @DynamicUpdate}): a row read before a revocation must never write the
 * revocation back out. Uses are recorded by a conditional update ({@link PersonalAccessTokens#authenticate}).
 */
@Entity
@DynamicUpdate
@Table(name = "personal_access_token")
public class PersonalAccessTokenEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "account_id")
    public long accountId;

    public String name;

    @Convert(converter = TokenScope.Stored.class)
    public TokenScope scope;

    @Column(name = "secret_hash")
    public String secretHash;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    public boolean liveAt(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }

    PersonalAccessTokens.TokenInfo info() {
        return new PersonalAccessTokens.TokenInfo(id, name, scope, createdAt, expiresAt, lastUsedAt, revokedAt);
    }
}
