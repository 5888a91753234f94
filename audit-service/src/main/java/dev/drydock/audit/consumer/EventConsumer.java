package dev.drydock.audit.consumer;

import dev.drydock.audit.AuditConfig;
import dev.drydock.audit.log.AuditLog;
import dev.drydock.events.EventCodec;
import dev.drydock.events.KafkaDurability;
import dev.drydock.events.KafkaLogin;
import dev.drydock.events.MalformedEventException;
import dev.drydock.events.Topic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Reads every event topic from the start and hands each event to {@link Projections}; offsets
 * are committed only after the projections' transaction (durable: PostgreSQL runs with
 * synchronous_commit on), so a crash replays, never skips, and {@link Projections} ignores what it
 * has already applied. A failure of Kafka or of a commit restarts the consumer, never ends it. An event this release cannot read goes
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
    private volatile CountDownLatch pauseRequest;

    private volatile CountDownLatch resumeRequest;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final MeterRegistry meters;
    /** The Kafka client's own metrics of the current consumer, lag per partition among them. */
    private KafkaClientMetrics consumerMetrics;
    /** Failures in a row (a lost broker, a failed commit, a refused login); 0 once a poll succeeds. */
    private final AtomicLong failuresInARow = new AtomicLong();

    private volatile String lastFailure;
    private KafkaProducer<String, byte[]> deadLetters;
    private Thread thread;

    EventConsumer(
            Projections projections,
            AuditConfig config,
            MeterRegistry meters,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.port") int httpPort) {
        this.projections = projections;
        this.meters = meters;
        meters.gauge("drydock.events.applied", applied);
        meters.gauge("drydock.events.dead_lettered", deadLettered);
        this.bootstrap = config.kafkaBootstrap();
        this.login = config.kafkaLogin();
        this.group = config.consumerGroup();
        this.instanceId =
                config.instanceId().orElseGet(() -> hostName().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + httpPort);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    void start(@Observes StartupEvent startup) {
        Map<String, Object> producerSettings = login.clientSettings(bootstrap);
        producerSettings.putAll(KafkaDurability.producerSettings());
        deadLetters = new KafkaProducer<>(producerSettings, new StringSerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::run, "event-consumer");
        thread.start();
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> settings = login.clientSettings(bootstrap);
        settings.putAll(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                group,
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                instanceId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                500));
        KafkaConsumer<String, byte[]> created =
                new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
        created.subscribe(
                List.of(Topic.REGISTRY.topicName(), Topic.IDENTITY.topicName(), Topic.MAINTENANCE.topicName()));
        consumerMetrics = new KafkaClientMetrics(created);
        consumerMetrics.bindTo(meters);
        return created;
    }

    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
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

    public long failuresInARow() {
        return failuresInARow.get();
    }

    public String lastFailure() {
        return lastFailure;
    }

    /**
     * Polls, applies, commits, for as long as the service runs. Whatever goes wrong — Kafka gone
     * in the middle of a commit, a rebalance, a refused login — the consumer is closed and made
     * anew after a back-off (1 s, doubling to 30 s); it then resumes from the committed offsets,
     * which never run ahead of what the projections hold (events applied but not committed are
     * applied again, and {@link Projections} skips them). It never stops while the service runs.
     */
    private void run() {
        long backoff = MIN_BACKOFF_MS;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = newConsumer();
                }
                if (pauseRequest != null) {
                    pauseHere();
                    continue;
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    handle(records);
                    consumer.commitSync();
                }
                measureLag();
                failuresInARow.set(0);
                backoff = MIN_BACKOFF_MS;
            } catch (RuntimeException e) { // a WakeupException too: from stop(), or else a failure like any other
                if (running) {
                    restartAfter(e, backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                }
            }
        }
        closeConsumer();
    }

    /**
     * Events in each assigned partition not yet applied, as the consumer last learned from the
     * broker (no request of its own); a gauge per partition, {@code drydock_events_lag}.
     */
    private void measureLag() {
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isPresent()) {
                lags.computeIfAbsent(partition, p -> {
                            AtomicLong value = new AtomicLong();
                            Gauge.builder("drydock.events.lag", value, AtomicLong::get)
                                    .tags("topic", p.topic(), "partition", Integer.toString(p.partition()))
                                    .description("events of the partition not yet applied to the projections")
                                    .register(meters);
                            return value;
                        })
                        .set(lag.getAsLong());
            }
        }
    }

    private final Map<TopicPartition, AtomicLong> lags = new ConcurrentHashMap<>();

    private static final long MIN_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    private void restartAfter(RuntimeException failure, long backoff) {
        failuresInARow.incrementAndGet();
        lastFailure = failure.toString();
        LOG.errorf(
                "the event consumer failed (%s); it starts again in %d ms from the committed offsets",
                failure, backoff);
        closeConsumer();
        for (long waited = 0; running && waited < backoff; waited += 100) {
            sleep(100);
        }
    }

    private void closeConsumer() {
        KafkaConsumer<String, byte[]> current = consumer;
        consumer = null;
        if (consumerMetrics != null) {
            consumerMetrics.close(); // its meters go; the next consumer's replace them
            consumerMetrics = null;
        }
        if (current != null) {
            try {
                current.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("closing the failed consumer: %s", e);
            }
        }
    }

    /**
     * Runs {@code work} while this consumer applies nothing: everything it applied is committed to
     * Kafka first, so the group's committed offsets are exactly what the projections hold. Events go
     * on arriving in Kafka and are applied afterwards; nothing is lost.
     */
    public synchronized <T> T whilePaused(Callable<T> work) throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        resumeRequest = new CountDownLatch(1);
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
        CountDownLatch paused = pauseRequest;
        if (paused != null) {
            paused.countDown();
        }
        while (running && resumeRequest.getCount() > 0) {
            consumer.pause(consumer.assignment()); // partitions assigned meanwhile too
            ConsumerRecords<String, byte[]> late = consumer.poll(Duration.ofMillis(200));
            // a partition assigned during the pause may have returned records: read them again later
            for (TopicPartition partition : late.partitions()) {
                consumer.seek(partition, late.records(partition).get(0).offset());
            }
        }
        consumer.resume(consumer.paused());
    }

    /**
     * Where the live projections stand: the group's committed offsets by partition (everything
     * applied is committed; nothing is committed before it is applied). The dead-letter topic is
     * not among them. Fails after {@code wait} when Kafka does not answer.
     */
    public Map<TopicPartition, Long> committedOffsets(Duration wait) throws Exception {
        Admin admin = Admin.create(login.clientSettings(bootstrap));
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            group, new ListConsumerGroupOffsetsOptions().timeoutMs((int) wait.toMillis()))
                    .partitionsToOffsetAndMetadata()
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> offsets = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null && !partition.topic().equals(Topic.DEAD_LETTER.topicName())) {
                    offsets.put(partition, offset.offset());
                }
            });
            return offsets;
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }

    /** The consumer group the projections commit their offsets in. */
    public String group() {
        return group;
    }

    /** Applies one poll's events in one transaction; what cannot be read goes to the dead-letter topic. */
    private void handle(ConsumerRecords<String, byte[]> records) {
        List<AuditLog.LoggedEvent> events = new ArrayList<>(records.count());
        List<AuditLog.Position> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            AuditLog.Position position = new AuditLog.Position(record.topic(), record.partition(), record.offset());
            try {
                events.add(new AuditLog.LoggedEvent(EventCodec.decode(record.value()), position));
            } catch (MalformedEventException e) {
                deadLetter(record, e.getMessage());
                unreadable.add(position);
            }
        }
        while (running) {
            try {
                applied.addAndGet(projections.apply(events, unreadable));
                return;
            } catch (Exception e) {
                // The database is the likely cause, not the events: wait and try the same batch again.
                LOG.warnf("could not apply %d events, retrying: %s", events.size(), e.getMessage());
                sleep();
            }
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf(
                "event at %s-%d@%d cannot be read and goes to the dead-letter topic: %s",
                record.topic(), record.partition(), record.offset(), reason);
        ProducerRecord<String, byte[]> dead =
                new ProducerRecord<>(Topic.DEAD_LETTER.topicName(), record.key(), record.value());
        dead.headers().add("drydock-reason", reason.getBytes(StandardCharsets.UTF_8));
        dead.headers()
                .add(
                        "drydock-origin",
                        (record.topic() + "-" + record.partition() + "@" + record.offset())
                                .getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.send(dead).get(30, TimeUnit.SECONDS);
            deadLettered.incrementAndGet();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to the dead-letter topic", e);
        }
    }

    private static void sleep() {
        sleep(1000);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
