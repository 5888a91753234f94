package dev.drydock.outbox;

import dev.drydock.events.KafkaLogin;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Where the event log is. */
@ConfigMapping(prefix = "drydock.kafka")
public interface KafkaConfig {

    /** Kafka bootstrap servers ({@code DRYDOCK_KAFKA_BOOTSTRAP}). */
    @WithDefault("127.0.0.1:9092")
    String bootstrap();

    /** The SASL/SCRAM user ({@code DRYDOCK_KAFKA_USERNAME}); none means a plain connection. */
    Optional<String> username();

    /** Its password ({@code DRYDOCK_KAFKA_PASSWORD}). */
    Optional<String> password();

    default KafkaLogin login() {
        return KafkaLogin.of(username(), password());
    }
}
