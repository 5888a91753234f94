package dev.drydock.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the event log is. */
@ConfigMapping(prefix = "drydock.kafka")
public interface KafkaConfig {

    /** Kafka bootstrap servers ({@code DRYDOCK_KAFKA_BOOTSTRAP}). */
    @WithDefault("127.0.0.1:9092")
    String bootstrap();
}
