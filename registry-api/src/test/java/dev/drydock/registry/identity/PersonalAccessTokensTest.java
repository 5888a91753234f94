package dev.drydock.registry.identity;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.events.Actor;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PersonalAccessTokensTest {

    @Inject
    Accounts accounts;

    @Inject
    PersonalAccessTokens tokens;

    @Inject
    AgroalDataSource dataSource;

    /**
     * A use that reads the token while its revocation is being committed neither gets through nor
     * writes the token back to life (seen by an attacking helper with the first Panache version,
     * which wrote the whole row it had read, revoked_at = NULL included).
     */
    @Test
    void aUseDuringTheRevocationsCommitIsRefusedAndTheRevocationStays() throws Exception {
        String name = "pat" + UUID.randomUUID().toString().substring(0, 8);
        Account account = accounts.register(name, "long enough password", Actor.SYSTEM);
        PersonalAccessTokens.Created created = tokens.create(account, "laptop", "read", null, Actor.SYSTEM);
        assertTrue(tokens.authenticate(name, created.secret()).isPresent());

        CompletableFuture<Optional<PersonalAccessTokens.Use>> use;
        try (Connection revoking = dataSource.getConnection()) {
            revoking.setAutoCommit(false);
            try (PreparedStatement revoke =
                    revoking.prepareStatement("UPDATE personal_access_token SET revoked_at = now() WHERE id = ?")) {
                revoke.setObject(1, created.token().id());
                revoke.executeUpdate();
            }
            use = CompletableFuture.supplyAsync(() -> tokens.authenticate(name, created.secret()));
            awaitABackendWaitingForALock();
            revoking.commit();
        }
        assertTrue(use.get(10, TimeUnit.SECONDS).isEmpty(), "a token revoked meanwhile was accepted");
        assertNotNull(revokedAt(created.token().id()), "the use wrote the revocation away");
        assertTrue(tokens.authenticate(name, created.secret()).isEmpty());
    }

    /** Until the use waits for the revocation's row lock (it cannot get past it before the commit). */
    private void awaitABackendWaitingForALock() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection c = dataSource.getConnection();
                PreparedStatement waiting = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND datname = current_database()")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = waiting.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the use never waited for the revocation's row lock");
    }

    private Object revokedAt(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT revoked_at FROM personal_access_token WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getObject(1);
            }
        }
    }
}
