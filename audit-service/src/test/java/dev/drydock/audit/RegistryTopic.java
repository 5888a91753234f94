package dev.drydock.audit;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventCodec;
import dev.drydock.events.EventData;
import dev.drydock.events.EventType;
import dev.drydock.events.Topic;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The registry topic of the tests' real broker, written as registry-api's outbox writes it (keyed
 * by repository), for tests of what audit-service makes of the events. One per test; closed after.
 */
public final class RegistryTopic implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    public RegistryTopic(AuditConfig config) {
        this.producer = new KafkaProducer<>(
                config.kafkaLogin().clientSettings(config.kafkaBootstrap()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    /** Appends a record and waits until the broker has it. */
    public void send(String key, byte[] value) throws InterruptedException, ExecutionException {
        producer.send(new ProducerRecord<>(Topic.REGISTRY.topicName(), key, value))
                .get();
    }

    /** Appends an event of the system, as happened at {@code at}, without waiting (the order per key holds). */
    public void append(String repository, EventData data, Instant at) {
        Event event = new Event(UUID.randomUUID(), EventType.of(data), "/test", at, Actor.SYSTEM, data);
        producer.send(new ProducerRecord<>(Topic.REGISTRY.topicName(), repository, EventCodec.encode(event)));
    }

    /** Waits until the broker has everything appended so far. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
