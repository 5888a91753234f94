package dev.drydock.audit.consumer;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the consumer thread runs; reports how many events it applied and dead-lettered. */
@Liveness
public class EventConsumerHealth implements HealthCheck {

    private final EventConsumer consumer;

    EventConsumerHealth(EventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("event-consumer").status(consumer.isRunning())
                .withData("applied", consumer.appliedCount())
                .withData("deadLettered", consumer.deadLetteredCount()).build();
    }
}
