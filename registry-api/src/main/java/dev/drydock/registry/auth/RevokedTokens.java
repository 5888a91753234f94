package dev.drydock.registry.auth;

import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Personal access tokens revoked (or expired) lately, refreshed every second from the database,
 * so that a registry token issued for one stops working within a second on every instance
 * without a database read per request. Older revocations need no memory: registry tokens live
 * minutes, and refreshing checks the database.
 */
@ApplicationScoped
public class RevokedTokens {

    private final AgroalDataSource dataSource;
    private volatile Set<UUID> revoked = Set.of();

    RevokedTokens(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public boolean isRevoked(UUID tokenId) {
        return tokenId != null && revoked.contains(tokenId);
    }

    /** Takes effect on this instance at once; the others learn it within a second. */
    public void revokedHere(UUID tokenId) {
        Set<UUID> next = ConcurrentHashMap.newKeySet();
        next.addAll(revoked);
        next.add(tokenId);
        revoked = next;
    }

    @Scheduled(every = "1s")
    void refresh() throws SQLException {
        Set<UUID> next = ConcurrentHashMap.newKeySet();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT id FROM personal_access_token"
                     + " WHERE revoked_at > now() - interval '1 day'"
                     + " OR expires_at BETWEEN now() - interval '1 day' AND now()")) {
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    next.add(rs.getObject(1, UUID.class));
                }
            }
        }
        revoked = next;
    }
}
