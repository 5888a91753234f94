package dev.drydock.registry.auth;

import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.Revocations;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Personal access tokens and sign-ins (refresh tokens, which session tokens name) revoked (or
 * expired) lately, refreshed every second from the database,
 * so that a registry token issued for one stops working within a second on every instance
 * without a database read per request. Older revocations need no memory: registry tokens live
 * minutes, and refreshing checks the database.
 */
@ApplicationScoped
public class RevokedTokens {

    private final AgroalDataSource dataSource;
    private volatile Set<UUID> revoked = Set.of();
    private volatile Set<UUID> revokedSessions = Set.of();
    private volatile Instant refreshedAt = Instant.EPOCH;

    RevokedTokens(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Revoked — or not known to be live, when the list could not be read lately (fail closed). */
    private boolean isRevoked(UUID tokenId) {
        return tokenId != null && (stale() || revoked.contains(tokenId));
    }

    /** Whether the lists are older than {@link Revocations#STALE_AFTER}: nothing then says a token still lives. */
    public boolean stale() {
        return refreshedAt.plus(Revocations.STALE_AFTER).isBefore(Instant.now());
    }

    public Set<UUID> tokens() {
        return revoked;
    }

    public Set<UUID> sessions() {
        return revokedSessions;
    }

    /** Whether the sign-in (refresh token) a session token belongs to has ended: signed out or expired. */
    private boolean isSessionRevoked(UUID sessionId) {
        return sessionId != null && (stale() || revokedSessions.contains(sessionId));
    }

    /** Whether what the token was derived from (personal access token, sign-in) has ended, or cannot be known to live. */
    public boolean ended(RegistryToken token) {
        return isRevoked(token.tokenId()) || isSessionRevoked(token.sessionId());
    }

    /** Takes effect on this instance at once; the others learn it within a second. */
    public synchronized void revokedHere(UUID tokenId) {
        revoked = with(revoked, tokenId);
    }

    /** A sign-out: the session's access tokens stop working here at once, elsewhere within a second. */
    public synchronized void sessionEndedHere(UUID sessionId) {
        revokedSessions = with(revokedSessions, sessionId);
    }

    private static Set<UUID> with(Set<UUID> set, UUID id) {
        Set<UUID> next = ConcurrentHashMap.newKeySet();
        next.addAll(set);
        next.add(id);
        return next;
    }

    void readAtStart(@Observes StartupEvent start) throws SQLException {
        refresh();
    }

    /**
     * Reads the lists again. What ended here while they were being read is kept: the read may have
     * seen the database before that commit, and replacing the lists with it would bring a revoked
     * token back to life until the next refresh (a revoked personal access token was seen working
     * once that way).
     */
    @Scheduled(every = "1s")
    void refresh() throws SQLException {
        Set<UUID> tokensBefore = revoked;
        Set<UUID> sessionsBefore = revokedSessions;
        Instant started = Instant.now();
        Set<UUID> tokens = endedLately("personal_access_token");
        Set<UUID> sessions = endedLately("refresh_token");
        synchronized (this) {
            revoked = merged(tokens, revoked, tokensBefore);
            revokedSessions = merged(sessions, revokedSessions, sessionsBefore);
            refreshedAt = started;
        }
    }

    /** What was read, and what ended here since {@code before} was taken. */
    private static Set<UUID> merged(Set<UUID> read, Set<UUID> now, Set<UUID> before) {
        Set<UUID> next = ConcurrentHashMap.newKeySet();
        next.addAll(read);
        for (UUID id : now) {
            if (!before.contains(id)) {
                next.add(id);
            }
        }
        return next;
    }

    /** The ids of a table's rows revoked or expired within the last day. */
    private Set<UUID> endedLately(String table) throws SQLException {
        Set<UUID> ended = ConcurrentHashMap.newKeySet();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT id FROM " + table
                        + " WHERE revoked_at > now() - interval '1 day'"
                        + " OR expires_at BETWEEN now() - interval '1 day' AND now()")) {
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ended.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ended;
    }
}
