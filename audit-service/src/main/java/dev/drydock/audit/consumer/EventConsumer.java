package dev.drydock.audit.consumer;

import dev.drydock.events.EventCodec;
import dev.drydock.events.KafkaLogin;
import dev.drydock.events.MalformedEventException;
import dev.drydock.events.Topic;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.drydock.audit.AuditConfig;
import dev.drydock.audit.log.AuditLog;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads every event topic from the start and hands each event to {@link Projections}; offsets
 * are committed only after the projections' transaction, so a crash replays, never skips, and
 * {@link Projections} ignores what it has already applied. An event this release cannot read goes
 * to the dead-letter topic with the reason, and the consumer goes on.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final Projections projections;
    private final String bootstrap;
    private final KafkaLogin login;
    private final String group;
    private final String instanceId;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean running;
    /** Set by {@link #whilePaused}; the consumer thread pauses its partitions and counts the latch down. */
    private volatile java.util.concurrent.CountDownLatch pauseRequest;
    private volatile java.util.concurrent.CountDownLatch resumeRequest;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> deadLetters;
    private Thread thread;

    EventConsumer(Projections projections, AuditConfig config, io.micrometer.core.instrument.MeterRegistry meters,
                  @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.port") int httpPort) {
        this.projections = projections;
        meters.gauge("drydock.events.applied", applied);
        meters.gauge("drydock.events.dead_lettered", deadLettered);
        this.bootstrap = config.kafkaBootstrap();
        this.login = config.kafkaLogin();
        this.group = config.consumerGroup();
        this.instanceId = config.instanceId().orElseGet(() -> hostName().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + httpPort);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    void start(@Observes StartupEvent startup) {
        Map<String, Object> consumerSettings = login.clientSettings(bootstrap);
        consumerSettings.putAll(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500));
        consumer = new KafkaConsumer<>(consumerSettings, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerSettings = login.clientSettings(bootstrap);
        producerSettings.putAll(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"));
        deadLetters = new KafkaProducer<>(producerSettings, new StringSerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::run, "event-consumer");
        thread.start();
    }

    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(15));
        deadLetters.close(Duration.ofSeconds(5));
    }

    public boolean isRunning() {
        return running && thread.isAlive();
    }

    public long appliedCount() {
        return applied.get();
    }

    public long deadLetteredCount() {
        return deadLettered.get();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topic.REGISTRY.topicName(), Topic.IDENTITY.topicName(),
                    Topic.MAINTENANCE.topicName()));
            while (running) {
                if (pauseRequest != null) {
                    pauseHere();
                    continue;
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                handle(records);
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("the event consumer stopped; projections are no longer updated", e);
            running = false;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Runs {@code work} while this consumer applies nothing: everything it applied is committed to
     * Kafka first, so the group's committed offsets are exactly what the projections hold. Events go
     * on arriving in Kafka and are applied afterwards; nothing is lost.
     */
    public synchronized <T> T whilePaused(java.util.concurrent.Callable<T> work) throws Exception {
        java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
        resumeRequest = new java.util.concurrent.CountDownLatch(1);
        pauseRequest = paused;
        try {
            if (!paused.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the event consumer did not pause within a minute");
            }
            return work.call();
        } finally {
            pauseRequest = null;
            resumeRequest.countDown();
        }
    }

    /** On the consumer thread: stop fetching, keep the group membership alive by polling, until resumed. */
    private void pauseHere() {
        consumer.pause(consumer.assignment());
        java.util.concurrent.CountDownLatch paused = pauseRequest;
        if (paused != null) {
            paused.countDown();
        }
        while (running && resumeRequest.getCount() > 0) {
            consumer.pause(consumer.assignment()); // partitions assigned meanwhile too
            ConsumerRecords<String, byte[]> late = consumer.poll(Duration.ofMillis(200));
            // a partition assigned during the pause may have returned records: read them again later
            for (org.apache.kafka.common.TopicPartition partition : late.partitions()) {
                consumer.seek(partition, late.records(partition).get(0).offset());
            }
        }
        consumer.resume(consumer.paused());
    }

    /** The consumer group the projections commit their offsets in. */
    public String group() {
        return group;
    }

    /** Applies one poll's events in one transaction; what cannot be read goes to the dead-letter topic. */
    private void handle(ConsumerRecords<String, byte[]> records) {
        List<AuditLog.LoggedEvent> events = new java.util.ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(new AuditLog.LoggedEvent(EventCodec.decode(record.value()),
                        new AuditLog.Position(record.topic(), record.partition(), record.offset())));
            } catch (MalformedEventException e) {
                deadLetter(record, e.getMessage());
            }
        }
        while (running && !events.isEmpty()) {
            try {
                applied.addAndGet(projections.apply(events));
                return;
            } catch (Exception e) {
                // The database is the likely cause, not the events: wait and try the same batch again.
                LOG.warnf("could not apply %d events, retrying: %s", events.size(), e.getMessage());
                sleep();
            }
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("event at %s-%d@%d cannot be read and goes to the dead-letter topic: %s",
                record.topic(), record.partition(), record.offset(), reason);
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(Topic.DEAD_LETTER.topicName(), record.key(), record.value());
        dead.headers().add("drydock-reason", reason.getBytes(StandardCharsets.UTF_8));
        dead.headers().add("drydock-origin", (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.send(dead).get(30, TimeUnit.SECONDS);
            deadLettered.incrementAndGet();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to the dead-letter topic", e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
