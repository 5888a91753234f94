package dev.drydock.audit.log;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.drydock.events.Event;
import dev.drydock.events.EventCodec;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The audit log: every event, each record carrying the hash of the record before it in the same
 * topic partition (and its own position in it), so that a changed, removed or inserted record
 * breaks the chain and {@link #verify} finds it. Chains per partition make the log independent of
 * how partitions interleave on consumption: a rebuild from offset zero reproduces it exactly.
 */
@ApplicationScoped
public class AuditLog {

    static final String GENESIS = "0".repeat(64);

    /** Where an event is in the log: its chain is the partition's. */
    public record Position(String topic, int partition, long offset) {}

    private final AgroalDataSource dataSource;

    AuditLog(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @param position null for records from before positions were kept (one chain, in seq order) */
    public record Entry(
            long seq,
            String eventId,
            String type,
            String source,
            String subject,
            String namespace,
            String actor,
            String tokenId,
            String clientAddress,
            String userAgent,
            Instant occurredAt,
            @JsonRawValue String data,
            String previousHash,
            String hash,
            Position position) {}

    public record Query(
            String namespace,
            String repository,
            String actor,
            String type,
            Instant since,
            Instant until,
            Long after,
            int limit) {}

    /** An event with its place in the log. */
    public record LoggedEvent(Event event, Position position) {}

    /**
     * Appends events, in log order, on the caller's transaction, in one batch of inserts. One
     * consumer at a time owns a partition, so its chain's head is not raced for.
     */
    public void append(Connection c, List<LoggedEvent> events, Heads heads) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO audit_record (event_id, type, source, subject,"
                        + " namespace, actor, token_id, client_address, user_agent, occurred_at, data, previous_hash, hash,"
                        + " topic, kafka_partition, kafka_offset) VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (LoggedEvent logged : events) {
                String previous = heads.known(logged.position());
                if (previous == null) {
                    previous = head(c, logged.position());
                }
                bind(insert, logged.event(), logged.position(), previous, heads);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * The hash at the head of each partition's chain as this transaction wrote it, so that a batch
     * does not ask the database for what it has just written. Valid only as long as the transaction.
     */
    public static final class Heads {
        private final Map<String, String> byPartition = new HashMap<>();

        String known(Position position) {
            return byPartition.get(position.topic() + "-" + position.partition());
        }

        void moved(Position position, String hash) {
            byPartition.put(position.topic() + "-" + position.partition(), hash);
        }
    }

    private static String head(Connection c, Position position) throws SQLException {
        String previous = GENESIS;
        try (PreparedStatement head = c.prepareStatement("SELECT hash FROM audit_record"
                + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset < ? ORDER BY kafka_offset DESC LIMIT 1")) {
            head.setString(1, position.topic());
            head.setInt(2, position.partition());
            head.setLong(3, position.offset());
            try (ResultSet rs = head.executeQuery()) {
                if (rs.next()) {
                    previous = rs.getString(1);
                }
            }
        }
        return previous;
    }

    private static void bind(PreparedStatement insert, Event event, Position position, String previous, Heads heads)
            throws SQLException {
        Instant occurred = event.time().truncatedTo(ChronoUnit.MICROS);
        String data = EventCodec.payloadJson(event);
        String subject = event.subject();
        String namespace = subject.contains("/") ? subject.substring(0, subject.indexOf('/')) : subject;
        Entry entry = new Entry(
                0,
                event.id().toString(),
                event.type().cloudEventType(),
                event.source(),
                subject,
                namespace,
                event.actor().user(),
                event.actor().tokenId(),
                event.actor().clientAddress(),
                event.actor().userAgent(),
                occurred,
                data,
                previous,
                null,
                position);
        String hash = hash(entry);
        heads.moved(position, hash);
        insert.setString(1, entry.eventId());
        insert.setString(2, entry.type());
        insert.setString(3, entry.source());
        insert.setString(4, subject);
        insert.setString(5, namespace);
        insert.setString(6, entry.actor());
        insert.setString(7, entry.tokenId());
        insert.setString(8, entry.clientAddress());
        insert.setString(9, entry.userAgent());
        insert.setTimestamp(10, Timestamp.from(occurred));
        insert.setString(11, data);
        insert.setString(12, previous);
        insert.setString(13, hash);
        insert.setString(14, position.topic());
        insert.setInt(15, position.partition());
        insert.setLong(16, position.offset());
    }

    /** Records matching the query, oldest first, after the cursor {@code after}. */
    public List<Entry> find(Query query) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_record WHERE seq > ?");
        List<Object> args = new ArrayList<>();
        args.add(query.after() == null ? 0L : query.after());
        condition(sql, args, " AND namespace = ?", query.namespace());
        condition(sql, args, " AND subject = ?", query.repository());
        condition(sql, args, " AND actor = ?", query.actor());
        condition(sql, args, " AND type = ?", query.type());
        condition(sql, args, " AND occurred_at >= ?", query.since() == null ? null : Timestamp.from(query.since()));
        condition(sql, args, " AND occurred_at < ?", query.until() == null ? null : Timestamp.from(query.until()));
        sql.append(" ORDER BY seq LIMIT ?");
        args.add(query.limit());
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                select.setObject(i + 1, args.get(i));
            }
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    entries.add(read(rs));
                }
            }
            return entries;
        }
    }

    private static final String COLUMNS = "seq, event_id, type, source, subject, namespace, actor, token_id,"
            + " client_address, user_agent, occurred_at, data, previous_hash, hash, topic, kafka_partition, kafka_offset";

    /**
     * The first record (by seq) whose hash or link to its predecessor does not hold, if any: each
     * partition's chain in offset order, and the chain of records from before positions were kept.
     */
    public Optional<Long> verify() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_record"
                        + " ORDER BY topic NULLS FIRST, kafka_partition, kafka_offset, seq")) {
            select.setFetchSize(1000);
            c.setAutoCommit(false);
            String chain = null;
            String previous = GENESIS;
            Long firstBroken = null;
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Entry entry = read(rs);
                    String thisChain = entry.position() == null
                            ? ""
                            : entry.position().topic() + "-" + entry.position().partition();
                    if (!thisChain.equals(chain)) {
                        chain = thisChain;
                        previous = GENESIS;
                    }
                    if (!entry.previousHash().equals(previous) || !entry.hash().equals(hash(entry))) {
                        firstBroken = firstBroken == null ? entry.seq() : Math.min(firstBroken, entry.seq());
                    }
                    previous = entry.hash();
                }
            }
            return Optional.ofNullable(firstBroken);
        }
    }

    /** Offsets {@code fromOffset} to {@code toOffset} of a partition were consumed but hold neither a record nor a skip. */
    public record Gap(String topic, int partition, long fromOffset, long toOffset) {}

    /**
     * The holes in each partition's positions: between two places that hold an audit record or a
     * skip (see {@code skipped_position}), and between the last of them and the consumer's committed
     * offset ({@code committed}, by topic and partition; empty when Kafka cannot be asked). A hole
     * means events were consumed and never applied: offsets that ran ahead of the projections.
     */
    public List<Gap> gaps(Map<String, Map<Integer, Long>> committed) throws SQLException {
        List<Gap> gaps = new ArrayList<>();
        Map<String, Map<Integer, Long>> ends = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "WITH positions AS ("
                                + " SELECT topic, kafka_partition, kafka_offset FROM audit_record WHERE topic IS NOT NULL"
                                + " UNION ALL SELECT topic, kafka_partition, kafka_offset FROM skipped_position),"
                                + " ordered AS (SELECT topic, kafka_partition, kafka_offset, lag(kafka_offset)"
                                + " OVER (PARTITION BY topic, kafka_partition ORDER BY kafka_offset) AS previous,"
                                + " max(kafka_offset) OVER (PARTITION BY topic, kafka_partition) AS last FROM positions)"
                                + " SELECT topic, kafka_partition, previous + 1, kafka_offset - 1, last FROM ordered"
                                + " WHERE previous IS NULL OR kafka_offset > previous + 1 ORDER BY topic, kafka_partition, kafka_offset")) {
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String topic = rs.getString(1);
                    int partition = rs.getInt(2);
                    ends.computeIfAbsent(topic, t -> new HashMap<>()).put(partition, rs.getLong(5));
                    long from = rs.getLong(3);
                    if (!rs.wasNull()) {
                        gaps.add(new Gap(topic, partition, from, rs.getLong(4)));
                    }
                }
            }
        }
        committed.forEach((topic, partitions) -> partitions.forEach((partition, next) -> {
            long last = ends.getOrDefault(topic, Map.of()).getOrDefault(partition, -1L);
            if (next > last + 1) {
                gaps.add(new Gap(topic, partition, last + 1, next - 1));
            }
        }));
        return gaps;
    }

    private static void condition(StringBuilder sql, List<Object> args, String clause, Object value) {
        if (value != null) {
            sql.append(clause);
            args.add(value);
        }
    }

    private static Entry read(ResultSet rs) throws SQLException {
        return new Entry(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getTimestamp(11).toInstant(),
                rs.getString(12),
                rs.getString(13),
                rs.getString(14),
                rs.getString(15) == null ? null : new Position(rs.getString(15), rs.getInt(16), rs.getLong(17)));
    }

    static String hash(Entry e) {
        String canonical = String.join(
                        "\n",
                        e.previousHash(),
                        e.eventId(),
                        e.type(),
                        e.source(),
                        e.subject(),
                        String.valueOf(e.actor()),
                        String.valueOf(e.tokenId()),
                        String.valueOf(e.clientAddress()),
                        String.valueOf(e.userAgent()),
                        e.occurredAt().toString(),
                        e.data())
                + (e.position() == null
                        ? ""
                        : "\n" + e.position().topic() + "\n" + e.position().partition() + "\n"
                                + e.position().offset());
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e1) {
            throw new IllegalStateException(e1);
        }
    }
}
