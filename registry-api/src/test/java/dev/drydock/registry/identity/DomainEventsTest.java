package dev.drydock.registry.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.events.Actor;
import dev.drydock.events.IdentityEvents;
import dev.drydock.registry.DomainEvents;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An entity written through Panache and the event written to the outbox in SQL commit together or
 * not at all: the pool hands the transaction's one connection to both (checked here, not assumed;
 * the outbox's rows themselves are published and deleted at once, so they are not counted).
 */
@QuarkusTest
class DomainEventsTest {

    @Inject
    DomainEvents events;

    @Inject
    Accounts accounts;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void hibernateAndTheOutboxWriteInOneDatabaseTransaction() {
        QuarkusTransaction.requiringNew().run(() -> {
            long hibernates = AccountEntity.getSession()
                    .doReturningWork(connection -> DomainEventsTest.transactionId(connection));
            try (Connection outboxes = dataSource.getConnection()) {
                assertEquals(hibernates, transactionId(outboxes));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aTransactionThatFailsAfterItsEventLeavesNeitherTheEntityNorTheEvent() {
        String name = "de" + UUID.randomUUID().toString().substring(0, 8);
        assertThrows(
                IllegalStateException.class,
                () -> QuarkusTransaction.requiringNew().run(() -> {
                    assertTrue(NamespaceEntity.claim(name, NamespaceEntity.USER));
                    AccountEntity account = new AccountEntity();
                    account.username = name;
                    account.passwordHash = "not a hash";
                    account.persist();
                    events.emit(Actor.SYSTEM, new IdentityEvents.UserRegistered(name));
                    throw new IllegalStateException("the handler fails after both were written");
                }));
        // the event shared the account's transaction (the test above), so it went with it
        assertTrue(accounts.find(name).isEmpty());
    }

    @Test
    void anEventOutsideATransactionIsRefused() {
        assertThrows(
                TransactionalException.class,
                () -> events.emit(Actor.SYSTEM, new IdentityEvents.UserRegistered("nobody")));
    }

    @Test
    void aNameTakenAlreadyIsAConflict() {
        String name = "de" + UUID.randomUUID().toString().substring(0, 8);
        accounts.register(name, "long enough password", Actor.SYSTEM);
        IdentityException taken = assertThrows(
                IdentityException.class, () -> accounts.register(name, "another long password", Actor.SYSTEM));
        assertEquals(409, taken.status());
    }

    private static long transactionId(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT txid_current()");
                ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
