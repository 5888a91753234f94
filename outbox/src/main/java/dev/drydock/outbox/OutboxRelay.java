package dev.drydock.outbox;

import dev.drydock.events.KafkaDurability;
import dev.drydock.events.KafkaLogin;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Moves committed outbox rows to Kafka, oldest first, and deletes them once the broker has
 * acknowledged every one of a batch. The producer is idempotent and keeps records of one key
 * in order. If Kafka is unreachable the rows stay and the next call tries again: an event may
 * then reach Kafka twice (consumers apply an event id once), but never zero times.
 *
 * <p>A PostgreSQL advisory lock lets only one relay of a service work at a time, so scaling a
 * service out does not reorder its events.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final DataSource dataSource;
    private final Producer<String, byte[]> producer;
    private final long advisoryLockKey;
    private final int batchSize;

    public OutboxRelay(
            DataSource dataSource, String bootstrapServers, KafkaLogin login, String clientId, int batchSize) {
        this.dataSource = dataSource;
        Map<String, Object> settings = login.clientSettings(bootstrapServers);
        settings.putAll(KafkaDurability.producerSettings());
        settings.putAll(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.LINGER_MS_CONFIG, 5));
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        this.advisoryLockKey = ("drydock-outbox-" + clientId).hashCode();
        this.batchSize = batchSize;
    }

    /**
     * Relays up to one batch.
     *
     * @return how many events reached Kafka; 0 when there was nothing to do, another relay
     *         holds the lock, or Kafka did not acknowledge (the rows then stay for the next call)
     */
    public int relayBatch() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int relayed = relayLocked(connection);
                connection.commit();
                return relayed;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private int relayLocked(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, advisoryLockKey);
            try (ResultSet rs = lock.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return 0;
                }
            }
        }
        List<Long> sequence = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (PreparedStatement select =
                connection.prepareStatement("SELECT seq, topic, event_key, payload FROM outbox ORDER BY seq LIMIT ?")) {
            select.setInt(1, batchSize);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    sequence.add(rs.getLong(1));
                    acks.add(producer.send(new ProducerRecord<>(rs.getString(2), rs.getString(3), rs.getBytes(4))));
                }
            }
        }
        if (sequence.isEmpty()) {
            return 0;
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf(
                        "Kafka did not acknowledge %d outbox events; they stay for the next try: %s",
                        sequence.size(), e.getMessage());
                connection.rollback();
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                connection.rollback();
                return 0;
            }
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox WHERE seq = ANY (?)")) {
            delete.setArray(1, connection.createArrayOf("bigint", sequence.toArray()));
            delete.executeUpdate();
        }
        return sequence.size();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
