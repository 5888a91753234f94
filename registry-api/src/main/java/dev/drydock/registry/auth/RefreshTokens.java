package dev.drydock.registry.auth;

import dev.drydock.registry.identity.Account;
import dev.drydock.registry.identity.Secrets;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
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
public class RefreshTokens {

    private final AgroalDataSource dataSource;

    RefreshTokens(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A refresh token as handed out: its secret, and the id a session token names it by. */
    public record Issued(UUID id, String secret) {}

    /** A live refresh token, the principal it stands for, and whether it is a portal sign-in's. */
    public record Redeemed(UUID id, Principal principal, boolean portal) {}

    /** A refresh token just revoked, and whose it was. */
    public record Revoked(UUID id, String username) {}

    /** @param portal whether this is a portal sign-in, whose refresh token renews a session */
    public Issued issue(Principal principal, Duration lifetime, boolean portal) throws SQLException {
        String secret = Secrets.generate("ddrt_");
        UUID id = UUID.randomUUID();
        try (Connection c = dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement("INSERT INTO refresh_token (id, account_id, secret_hash,"
                        + " via_token, expires_at, portal) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setObject(1, id);
            insert.setLong(2, principal.account().id());
            insert.setString(3, Secrets.hash(secret));
            insert.setObject(4, principal.tokenId());
            insert.setTimestamp(5, Timestamp.from(Instant.now().plus(lifetime)));
            insert.setBoolean(6, portal);
            insert.executeUpdate();
        }
        return new Issued(id, secret);
    }

    /** The principal a live refresh token stands for (its personal access token must be live too). */
    public Optional<Redeemed> redeem(String secret) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT a.id, a.username, a.admin, r.via_token, t.scope, r.id, r.portal"
                                + " FROM refresh_token r JOIN account a ON a.id = r.account_id"
                                + " LEFT JOIN personal_access_token t ON t.id = r.via_token"
                                + " WHERE r.secret_hash = ? AND r.revoked_at IS NULL AND r.expires_at > now()"
                                + " AND (r.via_token IS NULL OR (t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())))")) {
            select.setString(1, Secrets.hash(secret));
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Redeemed(
                        rs.getObject(6, UUID.class),
                        new Principal(
                                new Account(rs.getLong(1), rs.getString(2), rs.getBoolean(3)),
                                rs.getObject(4, UUID.class),
                                rs.getString(5)),
                        rs.getBoolean(7)));
            }
        }
    }

    /** Revokes a refresh token; the account it belonged to, if it was live. */
    public Optional<Revoked> revoke(String secret) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement update = c.prepareStatement(
                        "UPDATE refresh_token r SET revoked_at = now() FROM account a"
                                + " WHERE a.id = r.account_id AND r.secret_hash = ? AND r.revoked_at IS NULL RETURNING r.id, a.username")) {
            update.setString(1, Secrets.hash(secret));
            try (ResultSet rs = update.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Revoked(rs.getObject(1, UUID.class), rs.getString(2)))
                        : Optional.empty();
            }
        }
    }
}
