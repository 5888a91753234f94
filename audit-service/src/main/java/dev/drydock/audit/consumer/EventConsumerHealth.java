package dev.drydock.audit.consumer;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the consumer thread runs (it restarts its Kafka consumer after any failure, so only a
 * dead thread, which a restart of the service fixes, turns this DOWN); reports how many events it
 * applied and dead-lettered, and its failures in a row with the last one (a lost broker, a refused
 * login): the projections are behind while that count is above zero.
 */
@Liveness
public class EventConsumerHealth implements HealthCheck {

    private final EventConsumer consumer;

    EventConsumerHealth(EventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder health = HealthCheckResponse.named("event-consumer")
                .status(consumer.isRunning())
                .withData("applied", consumer.appliedCount())
                .withData("deadLettered", consumer.deadLetteredCount())
                .withData("failuresInARow", consumer.failuresInARow());
        if (consumer.lastFailure() != null) {
            health.withData("lastFailure", consumer.lastFailure());
        }
        return health.build();
    }
}
