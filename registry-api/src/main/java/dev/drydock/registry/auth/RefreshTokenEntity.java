package dev.drydock.registry.auth;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;

/** A login's refresh token; its secret only as a hash. */
@Entity
@DynamicUpdate
@Table(name = "refresh_token")
public class RefreshTokenEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "account_id")
    public long accountId;

    @Column(name = "secret_hash")
    public String secretHash;

    /** The personal access token the login was made with, if any: the refresh token dies with it. */
    @Column(name = "via_token")
    public UUID viaToken;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** A portal sign-in's, which renews a session; clients' offline tokens yield registry tokens only. */
    public boolean portal;
}
