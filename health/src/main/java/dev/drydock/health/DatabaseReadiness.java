package dev.drydock.health;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Whether the service's database answers, for readiness: no service of the platform can do its
 * job without it. A background thread asks it {@code SELECT 1} every {@link #INTERVAL}; the check
 * reports the last answer and so answers at once, even while the database hangs (a probe stuck on
 * a silent server makes the last answer old, which counts as DOWN after {@link #STALE}). Liveness does not look at the
 * database: restarting a service does not bring a database back.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(DatabaseReadiness.class);
    private static final String NOT_PROBED = "not probed yet";

    static final Duration INTERVAL = Duration.ofMillis(500);
    /**
     * An answer older than this is no answer: the probe is stuck waiting for a reply. Longer than
     * the pool's wait for a connection (5 s), so that a pool busy under load is not taken for a
     * dead database; a refused or broken connection counts at once.
     */
    static final Duration STALE = Duration.ofSeconds(6);
    /** How long the probe waits on the database's socket before giving up on its connection. */
    static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "database-probe");
        thread.setDaemon(true);
        return thread;
    });
    /** When the database last answered ({@link System#nanoTime()}), 0 when never. */
    private volatile long answeredAt;

    private volatile String problem = NOT_PROBED;

    DatabaseReadiness(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        probe.scheduleWithFixedDelay(this::ask, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        probe.shutdownNow();
    }

    private void ask() {
        try (Connection connection = dataSource.getConnection()) {
            int before = connection.getNetworkTimeout();
            // a silent network must not hold the probe for good (the driver's default is no limit)
            connection.setNetworkTimeout(Runnable::run, (int) NETWORK_TIMEOUT.toMillis());
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
            } finally {
                connection.setNetworkTimeout(Runnable::run, before);
            }
            if (answeredAt == 0 && problem != null && !problem.equals(NOT_PROBED)) {
                LOG.info("the database answers again");
            }
            answeredAt = System.nanoTime();
            problem = null;
        } catch (SQLException | RuntimeException e) {
            if (problem == null || problem.equals(NOT_PROBED)) {
                LOG.warnf("the database does not answer: %s", e.getMessage()); // once per outage, not every probe
            }
            answeredAt = 0;
            // the readiness answer is public: the details (addresses, the driver's words) stay in the log
            problem = "the database does not answer";
        }
    }

    @Override
    public HealthCheckResponse call() {
        long at = answeredAt;
        long ago = at == 0 ? -1 : Duration.ofNanos(System.nanoTime() - at).toMillis();
        boolean up = at != 0 && ago <= STALE.toMillis();
        var response = HealthCheckResponse.named("database").status(up);
        if (ago >= 0) {
            response.withData("answeredMillisAgo", ago);
        }
        String last = problem;
        if (!up) {
            response.withData("problem", last != null ? last : "no answer for " + ago + " ms");
        }
        return response.build();
    }
}
