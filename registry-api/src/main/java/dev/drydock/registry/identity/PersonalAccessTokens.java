package dev.drydock.registry.identity;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.IdentityEvents;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Personal access tokens, like Docker Hub's: a scope, an optional expiry, shown once at creation
 * and kept only as a hash of the secret ({@link Secrets}).
 */
@ApplicationScoped
public class PersonalAccessTokens {

    /** A token may be made to expire at most this far ahead (or never). */
    private static final Duration MAX_LIFETIME = Duration.ofDays(3650);

    public static final String PREFIX = "ddpat_";
    public static final Set<String> SCOPES = Set.of("read", "read-write", "read-write-delete");

    private final AgroalDataSource dataSource;

    PersonalAccessTokens(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record TokenInfo(
            UUID id,
            String name,
            String scope,
            Instant createdAt,
            Instant expiresAt,
            Instant lastUsedAt,
            Instant revokedAt) {}

    /** A token as used to sign in: whose it is and what it may do. */
    public record Use(Account account, UUID tokenId, String scope) {}

    public record Created(TokenInfo token, String secret) {}

    public Created create(Account account, String name, String scope, Instant expiresAt, Actor actor) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IdentityException(400, "A token needs a name of 1 to 100 characters.", "name");
        }
        if (scope == null || !SCOPES.contains(scope)) { // Set.of(...).contains(null) throws
            throw new IdentityException(400, "The scope must be one of read, read-write, read-write-delete.", "scope");
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw new IdentityException(400, "The expiry must be in the future.", "expiresAt");
        }
        if (expiresAt != null && expiresAt.isAfter(Instant.now().plus(MAX_LIFETIME))) {
            throw new IdentityException(
                    400, "The expiry must be within ten years; leave it out for none.", "expiresAt");
        }
        String secret = Secrets.generate(PREFIX);
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO personal_access_token"
                                    + " (id, account_id, name, scope, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setObject(1, id);
                insert.setLong(2, account.id());
                insert.setString(3, name.strip());
                insert.setString(4, scope);
                insert.setString(5, Secrets.hash(secret));
                insert.setTimestamp(6, Timestamp.from(now));
                insert.setTimestamp(7, expiresAt == null ? null : Timestamp.from(expiresAt));
                insert.executeUpdate();
                Outbox.append(
                        c,
                        Event.of(
                                Repositories.SOURCE,
                                actor,
                                new IdentityEvents.TokenCreated(
                                        account.username(), id.toString(), name.strip(), scope, expiresAt)));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return new Created(new TokenInfo(id, name.strip(), scope, now, expiresAt, null, null), secret);
    }

    /** The token's owner and scope when the secret is a live token; records the use. */
    public Optional<Use> authenticate(String username, String secret) throws SQLException {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement update = c.prepareStatement("UPDATE personal_access_token t SET last_used_at = now()"
                        + " FROM account a WHERE a.id = t.account_id AND t.secret_hash = ? AND t.revoked_at IS NULL"
                        + " AND (t.expires_at IS NULL OR t.expires_at > now()) AND (CAST(? AS TEXT) IS NULL OR a.username = ?)"
                        + " RETURNING a.id, a.username, a.admin, t.id, t.scope")) {
            update.setString(1, Secrets.hash(secret));
            update.setString(2, username);
            update.setString(3, username);
            try (ResultSet rs = update.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Use(
                                new Account(rs.getLong(1), rs.getString(2), rs.getBoolean(3)),
                                rs.getObject(4, UUID.class),
                                rs.getString(5)))
                        : Optional.empty();
            }
        }
    }

    /** The scope of a live token; empty when it is revoked, expired or unknown. */
    public Optional<String> liveScope(UUID tokenId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT scope FROM personal_access_token WHERE id = ?"
                        + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())")) {
            select.setObject(1, tokenId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public List<TokenInfo> list(Account account) throws SQLException {
        List<TokenInfo> tokens = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT id, name, scope, created_at, expires_at, last_used_at,"
                                + " revoked_at FROM personal_access_token WHERE account_id = ? ORDER BY created_at DESC")) {
            select.setLong(1, account.id());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    tokens.add(new TokenInfo(
                            rs.getObject(1, UUID.class),
                            rs.getString(2),
                            rs.getString(3),
                            instant(rs.getTimestamp(4)),
                            instant(rs.getTimestamp(5)),
                            instant(rs.getTimestamp(6)),
                            instant(rs.getTimestamp(7))));
                }
            }
        }
        return tokens;
    }

    /** Revokes one of the account's tokens at once; false if it has no such live token. */
    public boolean revoke(Account account, UUID tokenId, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement update = c.prepareStatement("UPDATE personal_access_token SET revoked_at = now()"
                            + " WHERE id = ? AND account_id = ? AND revoked_at IS NULL")) {
                update.setObject(1, tokenId);
                update.setLong(2, account.id());
                if (update.executeUpdate() == 0) {
                    return false;
                }
                Outbox.append(
                        c,
                        Event.of(
                                Repositories.SOURCE,
                                actor,
                                new IdentityEvents.TokenRevoked(account.username(), tokenId.toString())));
                return true;
            }
        });
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
