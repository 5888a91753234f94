package dev.drydock.registry.auth;

import dev.drydock.oci.token.AccessWithdrawal;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.Revocations;
import dev.drydock.registry.RegistryConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
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

    /** How often (in refreshes) withdrawals older than any token are removed from the database. */
    private static final int CLEAN_EVERY = 60;

    private final AgroalDataSource dataSource;
    /** How far back withdrawals can still end a token: the longest lifetime of a token that names repositories. */
    private final Duration withdrawalsMatterFor;

    private volatile Set<UUID> revoked = Set.of();
    private volatile Set<UUID> revokedSessions = Set.of();
    private volatile AccessWithdrawal.Index withdrawals = AccessWithdrawal.Index.EMPTY;
    private volatile Instant refreshedAt = Instant.EPOCH;
    private int refreshes;

    RevokedTokens(AgroalDataSource dataSource, RegistryConfig config) {
        this.dataSource = dataSource;
        this.withdrawalsMatterFor = Collections.max(List.of(
                        config.tokenLifetime(), config.blobRedirectLifetime(), ReadAccess.VIEWER_TOKEN_LIFETIME))
                .plus(Duration.ofMinutes(5));
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

    /**
     * Whether what the token was derived from (personal access token, sign-in) has ended, or
     * cannot be known to live, or access it names was withdrawn after it was signed.
     */
    public boolean ended(RegistryToken token) {
        return isRevoked(token.tokenId()) || isSessionRevoked(token.sessionId()) || withdrawals.ends(token);
    }

    /** Takes effect on this instance at once; the others learn it within a second. */
    public synchronized void withdrawnHere(List<AccessWithdrawal> withdrawn) {
        withdrawals = withdrawals.with(withdrawn);
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
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() throws SQLException {
        Set<UUID> tokensBefore = revoked;
        Set<UUID> sessionsBefore = revokedSessions;
        Set<AccessWithdrawal> withdrawalsBefore = new HashSet<>(withdrawals.all());
        Instant started = Instant.now();
        Set<UUID> tokens = endedLately("personal_access_token");
        Set<UUID> sessions = endedLately("refresh_token");
        List<AccessWithdrawal> withdrawn = withdrawnLately();
        synchronized (this) {
            revoked = merged(tokens, revoked, tokensBefore);
            revokedSessions = merged(sessions, revokedSessions, sessionsBefore);
            List<AccessWithdrawal> next = new ArrayList<>(withdrawn);
            withdrawals.all().stream()
                    .filter(w -> !withdrawalsBefore.contains(w))
                    .forEach(next::add);
            withdrawals = new AccessWithdrawal.Index(next);
            refreshedAt = started;
        }
        if (++refreshes % CLEAN_EVERY == 0) {
            forgetOldWithdrawals();
        }
    }

    /** Withdrawals recent enough to end a token that is still current. */
    private List<AccessWithdrawal> withdrawnLately() throws SQLException {
        List<AccessWithdrawal> withdrawn = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT scope, subject, withdrawn_at FROM access_withdrawal"
                                + " WHERE withdrawn_at > now() - make_interval(secs => ?)")) {
            select.setDouble(1, withdrawalsMatterFor.toSeconds());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    withdrawn.add(new AccessWithdrawal(
                            rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
                }
            }
        }
        return withdrawn;
    }

    /** Removes withdrawals a day older than any token they could end. */
    private void forgetOldWithdrawals() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement delete = c.prepareStatement("DELETE FROM access_withdrawal"
                        + " WHERE withdrawn_at < now() - interval '1 day' - make_interval(secs => ?)")) {
            delete.setDouble(1, withdrawalsMatterFor.toSeconds());
            delete.executeUpdate();
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
