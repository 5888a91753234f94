package dev.drydock.outbox;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the {@link OutboxRelay} of the service it is part of on its own thread, every
 * {@code drydock.outbox.interval} (sub-second, which Quarkus' scheduler does not offer).
 */
@ApplicationScoped
public class OutboxRelayJob {

    private static final Logger LOG = Logger.getLogger(OutboxRelayJob.class);

    private final AgroalDataSource dataSource;
    private final OutboxConfig config;
    private final KafkaConfig kafka;
    private final String service;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "outbox-relay"));
    private OutboxRelay relay;

    OutboxRelayJob(
            AgroalDataSource dataSource,
            OutboxConfig config,
            KafkaConfig kafka,
            MeterRegistry meters,
            @ConfigProperty(name = "quarkus.application.name") String service) {
        this.dataSource = dataSource;
        this.config = config;
        this.kafka = kafka;
        this.service = service;
        // read when scraped: events committed but not yet in Kafka, and how long the oldest has waited
        Gauge.builder("drydock.outbox.backlog", this, job -> job.backlog()[0])
                .description("events committed with their change but not yet published to Kafka")
                .register(meters);
        Gauge.builder("drydock.outbox.oldest.age", this, job -> job.backlog()[1])
                .baseUnit("seconds")
                .description("how long the oldest unpublished event has waited (0 when none waits)")
                .register(meters);
    }

    /** {count, age of the oldest in seconds}; NaN for both when the database does not answer. */
    private double[] backlog() {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)" + " FROM outbox")) {
            rs.next();
            return new double[] {rs.getLong(1), rs.getDouble(2)};
        } catch (SQLException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }

    void start(@Observes StartupEvent startup) {
        relay = new OutboxRelay(dataSource, kafka.bootstrap(), kafka.login(), service, config.batchSize());
        long interval = config.interval().toMillis();
        thread.scheduleWithFixedDelay(this::relay, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        relay.close();
    }

    private void relay() {
        try {
            while (relay.relayBatch() == config.batchSize()) {
                LOG.debug("outbox backlog: relaying another batch at once");
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("outbox relay failed, will retry: %s", e.getMessage());
        }
    }
}
