package dev.drydock.audit;

import dev.drydock.events.KafkaLogin;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.util.Optional;

@ConfigMapping(prefix = "drydock.audit")
public interface AuditConfig {

    /** The Kafka consumer group of the projections; a new group re-reads the log from the start. */
    @WithDefault("audit-service")
    String consumerGroup();

    /**
     * This instance's static membership in the consumer group: a restarted instance with the same
     * id takes its partitions back at once instead of waiting for the old session to time out.
     * Empty means {@code <host>-<http port>}.
     */
    Optional<String> instanceId();

    /** Kafka bootstrap servers ({@code DRYDOCK_AUDIT_KAFKA_BOOTSTRAP}, else {@code DRYDOCK_KAFKA_BOOTSTRAP}). */
    @WithDefault("${drydock.kafka.bootstrap:127.0.0.1:9092}")
    String kafkaBootstrap();

    /** The SASL/SCRAM user ({@code DRYDOCK_KAFKA_USERNAME}); none means a plain connection. */
    @WithName("kafka-username")
    @WithDefault("${drydock.kafka.username:}")
    Optional<String> kafkaUsername();

    /** Its password ({@code DRYDOCK_KAFKA_PASSWORD}). */
    @WithName("kafka-password")
    @WithDefault("${drydock.kafka.password:}")
    Optional<String> kafkaPassword();

    default KafkaLogin kafkaLogin() {
        return KafkaLogin.of(kafkaUsername(), kafkaPassword());
    }

    /** Where registry-api publishes the public keys of the viewer tokens it sends with each request. */
    @WithDefault("http://127.0.0.1:5000/.well-known/jwks.json")
    URI jwksUrl();

    /** The {@code service} registry tokens are issued for. */
    @WithDefault("drydock")
    String tokenService();
}
