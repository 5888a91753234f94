package dev.drydock.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "drydock.audit")
public interface AuditConfig {

    /** The Kafka consumer group of the projections; a new group re-reads the log from the start. */
    @WithDefault("audit-service")
    String consumerGroup();

    /** Kafka bootstrap servers ({@code DRYDOCK_AUDIT_KAFKA_BOOTSTRAP}, else {@code DRYDOCK_KAFKA_BOOTSTRAP}). */
    @WithDefault("${drydock.kafka.bootstrap:127.0.0.1:9092}")
    String kafkaBootstrap();
}
