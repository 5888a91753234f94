package dev.drydock.outbox;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "outbox-relay"));
    private OutboxRelay relay;

    OutboxRelayJob(AgroalDataSource dataSource, OutboxConfig config, KafkaConfig kafka,
                   @ConfigProperty(name = "quarkus.application.name") String service) {
        this.dataSource = dataSource;
        this.config = config;
        this.kafka = kafka;
        this.service = service;
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
