package dev.drydock.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How a service reaches Kafka and relays its outbox. */
@ConfigMapping(prefix = "drydock")
public interface OutboxConfig {

    Kafka kafka();

    Outbox outbox();

    interface Kafka {
        /** Kafka bootstrap servers ({@code DRYDOCK_KAFKA_BOOTSTRAP}). */
        @WithDefault("127.0.0.1:9092")
        String bootstrap();
    }

    interface Outbox {
        /** How often the relay looks for committed events. */
        @WithDefault("200ms")
        Duration interval();

        /** How many events one relay round sends at most. */
        @WithDefault("500")
        int batchSize();
    }
}
