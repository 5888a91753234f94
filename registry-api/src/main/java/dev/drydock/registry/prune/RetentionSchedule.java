package dev.drydock.registry.prune;

import dev.drydock.events.Actor;
import dev.drydock.oci.RepositoryName;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Applies every repository's retention rules on a schedule ({@code drydock.retention.interval},
 * default hourly; {@code off} stops it), then prunes what no tag reaches any more: a prune with
 * {@code all} of each repository that has rules and something to remove, by the platform itself
 * (actor {@code system}). One instance at a time across the platform: a PostgreSQL advisory lock
 * held for the run.
 */
@ApplicationScoped
public class RetentionSchedule {

    private static final Logger LOG = Logger.getLogger(RetentionSchedule.class);
    /** The run's advisory lock key ("drydock-retention", folded into a long). */
    private static final long LEASE = 0x64727964_72657461L;

    private final AgroalDataSource dataSource;
    private final Retention retention;
    private final Pruner pruner;

    RetentionSchedule(AgroalDataSource dataSource, Retention retention, Pruner pruner) {
        this.dataSource = dataSource;
        this.retention = retention;
        this.pruner = pruner;
    }

    @Scheduled(every = "${drydock.retention.interval:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        try (Connection lease = dataSource.getConnection()) {
            if (!locked(lease, "SELECT pg_try_advisory_lock(?)")) {
                return; // another instance is applying the rules
            }
            try {
                for (RepositoryName repository : retention.governed()) {
                    applyTo(repository);
                }
            } finally {
                locked(lease, "SELECT pg_advisory_unlock(?)");
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("the scheduled retention run failed, the next one tries again: %s", e.toString());
        }
    }

    /**
     * One repository's run, its events about that repository alone (whoever may read it sees
     * them, nobody else); a failure is logged and the next repository's run goes on.
     */
    private void applyTo(RepositoryName repository) {
        try {
            // a dry run first, so that a repository with nothing to remove adds no events every hour
            Pruner.Report preview =
                    pruner.prune(repository.value(), List.of(repository), null, true, null, Actor.SYSTEM, true);
            if (preview.tags().isEmpty() && preview.manifests().isEmpty()) {
                return;
            }
            Pruner.Report report =
                    pruner.prune(repository.value(), List.of(repository), null, false, null, Actor.SYSTEM, true);
            if (!report.tags().isEmpty() || !report.manifests().isEmpty()) {
                LOG.infof(
                        "retention rules of %s removed %d tags and %d manifests",
                        repository, report.tags().size(), report.manifests().size());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(
                    "the retention rules of %s could not be applied, the next run tries again: %s",
                    repository, e.toString());
        }
    }

    private static boolean locked(Connection c, String sql) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement(sql)) {
            lock.setLong(1, LEASE);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
