package dev.drydock.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How a service relays its outbox to Kafka. */
@ConfigMapping(prefix = "drydock.outbox")
public interface OutboxConfig {

    /** How often the relay looks for committed events. */
    @WithDefault("200ms")
    Duration interval();

    /** How many events one relay round sends at most. */
    @WithDefault("500")
    int batchSize();
}
