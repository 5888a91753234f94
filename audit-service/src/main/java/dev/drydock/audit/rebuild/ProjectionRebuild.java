package dev.drydock.audit.rebuild;

import dev.drydock.audit.AuditConfig;
import dev.drydock.audit.consumer.EventConsumer;
import dev.drydock.audit.consumer.Projections;
import dev.drydock.audit.log.AuditLog;
import dev.drydock.events.EventCodec;
import dev.drydock.events.MalformedEventException;
import dev.drydock.events.Topic;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Rebuilds every projection from offset zero into fresh tables and swaps them in. While it runs the
 * live consumer is paused with everything it applied committed, so the rebuild reads each
 * partition exactly as far as the live projections had got; reads go on from the live tables, and
 * events arriving meanwhile wait in Kafka. Before the swap the rebuilt tables are compared with the
 * live ones, row for row (by checksum of each table's rows, leaving out {@code seq}, a local
 * cursor, and {@code applied_at}, a local time).
 */
@ApplicationScoped
public class ProjectionRebuild {

    private static final Logger LOG = Logger.getLogger(ProjectionRebuild.class);
    private static final String FRESH = "audit_rebuild";
    private static final String REPLACED = "audit_replaced";
    private static final int BATCH = 1000;
    private static final List<String> LOCAL_COLUMNS = List.of("seq", "applied_at");

    private final AgroalDataSource dataSource;
    private final EventConsumer liveConsumer;
    private final Projections projections;
    private final AuditConfig config;
    private final String schema;

    ProjectionRebuild(
            AgroalDataSource dataSource,
            EventConsumer liveConsumer,
            Projections projections,
            AuditConfig config,
            @ConfigProperty(name = "quarkus.flyway.schemas") String schema) {
        this.dataSource = dataSource;
        this.liveConsumer = liveConsumer;
        this.projections = projections;
        this.config = config;
        this.schema = schema;
    }

    /** One projection table: its rows' checksum live and rebuilt, and how many rows each has. */
    public record TableCheck(String table, String live, String rebuilt, long liveRows, long rebuiltRows) {
        public boolean equal() {
            return live.equals(rebuilt) && liveRows == rebuiltRows;
        }
    }

    /**
     * @param events     records read from the log
     * @param applied    events applied (a redelivered event id is applied once)
     * @param unreadable records that are not events this release can read (the live consumer
     *                   dead-lettered them)
     */
    public record Result(
            long events, long applied, long unreadable, List<TableCheck> tables, boolean identical, long millis) {}

    public synchronized Result rebuild() throws Exception {
        long started = System.nanoTime();
        List<String> tables = tables();
        prepareFreshTables(tables);
        return liveConsumer.whilePaused(() -> {
            Map<TopicPartition, Long> targets = liveConsumer.committedOffsets(Duration.ofSeconds(30));
            long[] counts = replay(targets);
            List<TableCheck> checks = new ArrayList<>();
            for (String table : tables) {
                checks.add(check(table));
            }
            swap(tables);
            boolean identical = checks.stream().allMatch(TableCheck::equal);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            LOG.infof(
                    "rebuilt the projections from %d events in %d ms; identical to the live ones: %s",
                    counts[0], millis, identical);
            return new Result(counts[0], counts[1], counts[2], checks, identical, millis);
        });
    }

    /** The projection tables: everything in the schema but Flyway's history. */
    private List<String> tables() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = ? AND table_type = 'BASE TABLE' AND table_name <> 'flyway_schema_history'"
                        + " ORDER BY table_name")) {
            select.setString(1, schema);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }

    /**
     * Empty copies of the live tables (columns, defaults, generated columns, constraints, indexes)
     * in a schema of their own; serial columns get sequences of their own.
     */
    private void prepareFreshTables(List<String> tables) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement ddl = c.createStatement()) {
            ddl.execute("DROP SCHEMA IF EXISTS " + FRESH + " CASCADE");
            ddl.execute("CREATE SCHEMA " + FRESH);
            for (String table : tables) {
                ddl.execute(
                        "CREATE TABLE " + FRESH + "." + table + " (LIKE " + schema + "." + table + " INCLUDING ALL)");
            }
            List<String[]> serials = new ArrayList<>();
            try (ResultSet rs = ddl.executeQuery("SELECT table_name, column_name FROM information_schema.columns"
                    + " WHERE table_schema = '" + FRESH + "' AND column_default LIKE 'nextval%'")) {
                while (rs.next()) {
                    serials.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] serial : serials) {
                String sequence = FRESH + "." + serial[0] + "_" + serial[1] + "_seq";
                ddl.execute("CREATE SEQUENCE " + sequence + " OWNED BY " + FRESH + "." + serial[0] + "." + serial[1]);
                ddl.execute("ALTER TABLE " + FRESH + "." + serial[0] + " ALTER COLUMN " + serial[1]
                        + " SET DEFAULT nextval('" + sequence + "')");
            }
        }
    }

    /** Reads each partition from offset zero up to its target and applies every event to the fresh tables. */
    private long[] replay(Map<TopicPartition, Long> targets) throws SQLException {
        long events = 0;
        long applied = 0;
        long unreadable = 0;
        Map<String, Object> settings = config.kafkaLogin().clientSettings(config.kafkaBootstrap());
        settings.putAll(
                Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BATCH));
        try (KafkaConsumer<String, byte[]> reader =
                        new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
                Connection c = dataSource.getConnection()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Topic topic : List.of(Topic.REGISTRY, Topic.IDENTITY, Topic.MAINTENANCE)) {
                for (PartitionInfo info : reader.partitionsFor(topic.topicName())) {
                    TopicPartition partition = new TopicPartition(info.topic(), info.partition());
                    if (targets.getOrDefault(partition, 0L) > 0) {
                        partitions.add(partition);
                    }
                }
            }
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            c.setAutoCommit(false);
            try (Statement path = c.createStatement()) {
                // the fresh tables first; extensions (pg_trgm) live in the live schema
                path.execute("SET search_path TO " + FRESH + ", " + schema);
            }
            AuditLog.Heads heads = new AuditLog.Heads();
            try {
                List<TopicPartition> remaining = new ArrayList<>(partitions);
                while (!remaining.isEmpty()) {
                    List<AuditLog.LoggedEvent> batch = new ArrayList<>();
                    List<AuditLog.Position> unreadableHere = new ArrayList<>();
                    for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(500))) {
                        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                        if (record.offset() >= targets.get(partition)) {
                            continue;
                        }
                        events++;
                        AuditLog.Position position =
                                new AuditLog.Position(record.topic(), record.partition(), record.offset());
                        try {
                            batch.add(new AuditLog.LoggedEvent(EventCodec.decode(record.value()), position));
                        } catch (MalformedEventException e) {
                            unreadable++;
                            unreadableHere.add(position);
                        }
                    }
                    applied += projections.applyOn(c, batch, unreadableHere, heads);
                    c.commit();
                    remaining.removeIf(partition -> reader.position(partition) >= targets.get(partition));
                    reader.pause(partitions.stream()
                            .filter(p -> !remaining.contains(p))
                            .toList());
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                try (Statement path = c.createStatement()) {
                    path.execute("SET search_path TO " + schema);
                }
                c.setAutoCommit(true);
            }
        }
        return new long[] {events, applied, unreadable};
    }

    private TableCheck check(String table) throws SQLException {
        String[] live = checksum(schema, table);
        String[] rebuilt = checksum(FRESH, table);
        return new TableCheck(table, live[0], rebuilt[0], Long.parseLong(live[1]), Long.parseLong(rebuilt[1]));
    }

    /**
     * A checksum of the table's rows in any order: the sum of each row's MD5 (its first 60 bits), so
     * a table of millions of rows is read once and never sorted or concatenated.
     */
    private String[] checksum(String in, String table) throws SQLException {
        String local = String.join(
                " - ", LOCAL_COLUMNS.stream().map(column -> "'" + column + "'").toList());
        try (Connection c = dataSource.getConnection();
                Statement select = c.createStatement();
                ResultSet rs = select.executeQuery(
                        "SELECT coalesce(sum(('x' || substr(md5(x::text), 1, 15))::bit(60)::bigint), 0)::text,"
                                + " count(*) FROM (SELECT to_jsonb(t) - " + local + " AS x FROM " + in + "." + table
                                + " t) rows")) {
            rs.next();
            return new String[] {rs.getString(1), Long.toString(rs.getLong(2))};
        }
    }

    /**
     * Swaps the fresh tables in, in one transaction. (Their indexes carry PostgreSQL's default
     * names, not the migrations'; a later migration must not rely on an index's name.)
     */
    private void swap(List<String> tables) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement ddl = c.createStatement()) {
                ddl.execute("DROP SCHEMA IF EXISTS " + REPLACED + " CASCADE");
                ddl.execute("CREATE SCHEMA " + REPLACED);
                for (String table : tables) {
                    ddl.execute("ALTER TABLE " + schema + "." + table + " SET SCHEMA " + REPLACED);
                }
                for (String table : tables) {
                    ddl.execute("ALTER TABLE " + FRESH + "." + table + " SET SCHEMA " + schema);
                }
                ddl.execute("DROP SCHEMA " + REPLACED + " CASCADE");
                ddl.execute("DROP SCHEMA " + FRESH);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }
}
