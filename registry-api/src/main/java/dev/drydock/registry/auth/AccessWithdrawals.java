package dev.drydock.registry.auth;

import dev.drydock.oci.token.AccessWithdrawal;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Records that access was taken away, so that registry tokens signed before stop working
 * everywhere (see {@link AccessWithdrawal}): here at once, at the other instances, layer-store
 * and audit-service within a second ({@link RevokedTokens}).
 *
 * <p>Two steps: {@link #record} in the transaction of the change, then {@link #confirm} once it has
 * committed, which moves the moment to after the commit. A token signed by another instance while
 * the change was not yet visible to it is then older than the withdrawal, and refused too.
 */
@ApplicationScoped
public class AccessWithdrawals {

    private static final Logger LOG = Logger.getLogger(AccessWithdrawals.class);

    private final RevokedTokens revoked;

    AccessWithdrawals(RevokedTokens revoked) {
        this.revoked = revoked;
    }

    /** In the caller's transaction: tokens of {@code subject} (null: everyone's) naming a repository in {@code scope}. */
    public AccessWithdrawalEntity record(String scope, String subject) {
        AccessWithdrawalEntity withdrawal = new AccessWithdrawalEntity();
        withdrawal.scope = scope;
        withdrawal.subject = subject;
        withdrawal.withdrawnAt = Instant.now();
        withdrawal.persist();
        return withdrawal;
    }

    /** After the change committed: the withdrawals take the moment now, and effect here at once. */
    public void confirm(List<AccessWithdrawalEntity> recorded) {
        if (recorded.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                for (AccessWithdrawalEntity withdrawal : recorded) {
                    AccessWithdrawalEntity.update("withdrawnAt = ?1 where id = ?2", now, withdrawal.id);
                }
            });
        } catch (RuntimeException e) {
            // the recorded moment stands: tokens signed since it, while the change was committing, may live on
            LOG.warnf(
                    "could not move %d access withdrawals to after their commit: %s", recorded.size(), e.getMessage());
        }
        revoked.withdrawnHere(recorded.stream()
                .map(withdrawal -> new AccessWithdrawal(withdrawal.scope, withdrawal.subject, now))
                .toList());
    }
}
