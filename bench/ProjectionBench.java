// The projection benchmark's load and measurements (run by bench/projections.sh with audit-service's
// class path): java ProjectionBench.java <kafka> <front-door-url> <jdbc-url> <db-user>
// (the database password in BENCH_DB_PASSWORD, the Kafka login in DRYDOCK_KAFKA_USERNAME/_PASSWORD)
// Prints one "key value" line per measurement.
import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventCodec;
import dev.drydock.events.EventData;
import dev.drydock.events.RegistryEvents;
import dev.drydock.events.Topic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

public class ProjectionBench {

    static final Actor ACTOR = new Actor("bench", null, "127.0.0.1", "bench/1");
    static final String[] WORDS = {"alpine", "nginx", "postgres", "redis", "kafka", "java", "python", "node", "golang",
            "rust", "debian", "ubuntu", "busybox", "httpd", "mysql", "mongo", "rabbitmq", "elastic", "grafana", "prometheus"};

    static KafkaProducer<String, byte[]> producer;
    static Connection db;
    static final Random random = new Random(42);

    public static void main(String[] args) throws Exception {
        String kafka = args[0];
        String frontDoor = args[1];
        db = DriverManager.getConnection(args[2], args[3], System.getenv("BENCH_DB_PASSWORD"));
        Map<String, Object> settings = dev.drydock.events.KafkaLogin.fromEnvironment().clientSettings(kafka);
        settings.putAll(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 262144,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        int throughputEvents = Integer.parseInt(System.getenv().getOrDefault("BENCH_THROUGHPUT_EVENTS", "200000"));
        int searchRepositories = Integer.parseInt(System.getenv().getOrDefault("BENCH_SEARCH_REPOSITORIES", "100000"));
        int rebuildEvents = Integer.parseInt(System.getenv().getOrDefault("BENCH_REBUILD_EVENTS", "1000000"));

        // 1. sustained projection throughput: a burst far larger than one poll, timed to the last one applied
        long before = applied();
        long start = System.nanoTime();
        for (int i = 0; i < throughputEvents; i++) {
            send(activity("load" + (i % 2000) + "/app", i));
        }
        producer.flush();
        awaitApplied(before + throughputEvents);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("throughput_events %d%nthroughput_seconds %.1f%nthroughput_events_per_second %.0f%n",
                throughputEvents, seconds, throughputEvents / seconds);

        // 2. end-to-end lag at 1,000 events/s for 30 s: event time (set as it is sent) to its projection
        before = applied();
        long lagStart = System.nanoTime();
        for (int i = 0; i < 30_000; i++) {
            long due = lagStart + i * 1_000_000L;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            send(activity("lag" + (i % 500) + "/app", i));
            if (i % 100 == 0) {
                producer.flush();
            }
        }
        producer.flush();
        awaitApplied(before + 30_000);
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.applied_at - r.occurred_at)),"
                + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM a.applied_at - r.occurred_at)),"
                + " max(extract(epoch FROM a.applied_at - r.occurred_at))"
                + " FROM audit.audit_record r JOIN audit.applied_event a ON a.event_id = r.event_id"
                + " WHERE r.subject LIKE 'lag%'")) {
            rs.next();
            System.out.printf("lag_p50_ms %.1f%nlag_p99_ms %.1f%nlag_max_ms %.1f%n", rs.getDouble(1) * 1000,
                    rs.getDouble(2) * 1000, rs.getDouble(3) * 1000);
        }

        // 3. search over 100,000 repositories with descriptions, through the front door (anonymous)
        before = applied();
        for (int i = 0; i < searchRepositories; i++) {
            String name = WORDS[random.nextInt(WORDS.length)] + i + "/" + WORDS[random.nextInt(WORDS.length)] + "-"
                    + WORDS[random.nextInt(WORDS.length)];
            send(new RegistryEvents.RepositoryCreated(name, "public"));
            send(new RegistryEvents.DescriptionChanged(name, "The " + WORDS[random.nextInt(WORDS.length)] + " image with "
                    + WORDS[random.nextInt(WORDS.length)], ""));
        }
        producer.flush();
        awaitApplied(before + 2L * searchRepositories);
        HttpClient http = HttpClient.newHttpClient();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queries.add(WORDS[random.nextInt(WORDS.length)]);
            queries.add(WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)]);
            queries.add(WORDS[random.nextInt(WORDS.length)].substring(0, 4) + "x");
            queries.add(WORDS[random.nextInt(WORDS.length)] + random.nextInt(searchRepositories));
        }
        for (int warm = 0; warm < 100; warm++) {
            search(http, frontDoor, queries.get(warm % queries.size()));
        }
        long[] times = new long[1000];
        for (int i = 0; i < times.length; i++) {
            long t = System.nanoTime();
            search(http, frontDoor, queries.get(i % queries.size()));
            times[i] = System.nanoTime() - t;
        }
        Arrays.sort(times);
        System.out.printf("search_repositories %d%nsearch_p50_ms %.1f%nsearch_p95_ms %.1f%n", count("repository_summary"),
                times[500] / 1e6, times[950] / 1e6);

        // 4. the log grown to 1,000,000 events, then a rebuild from offset zero (timed by bench/projections.sh)
        long total = applied();
        before = total;
        long more = Math.max(0, rebuildEvents - total);
        for (long i = 0; i < more; i++) {
            send(activity("fill" + (i % 5000) + "/app", (int) i));
        }
        producer.flush();
        awaitApplied(before + more);
        System.out.printf("log_events %d%n", applied());
        producer.close();
    }

    /** A repository's life: created, pushed, tagged and moved, pulled. */
    static EventData activity(String repository, int i) {
        String digest = "sha256:" + String.format("%064x", i);
        return switch (i % 5) {
            case 0 -> new RegistryEvents.RepositoryCreated(repository, "public");
            case 1 -> new RegistryEvents.ManifestPushed(repository, digest, "application/vnd.oci.image.manifest.v1+json",
                    500, null, null, List.of(digest), 10_000, List.of("linux/amd64"));
            case 2 -> new RegistryEvents.TagCreated(repository, "v" + i, digest);
            case 3 -> new RegistryEvents.TagMoved(repository, "latest", digest, digest);
            default -> new RegistryEvents.ImagePulled(repository, "latest", digest,
                    "application/vnd.oci.image.manifest.v1+json", true, 1);
        };
    }

    static void send(EventData data) {
        Event event = Event.of("/bench", ACTOR, data);
        producer.send(new ProducerRecord<>(Topic.REGISTRY.topicName(), event.subject(), EventCodec.encode(event)));
    }

    static long applied() throws Exception {
        return count("applied_event");
    }

    static long count(String table) throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM audit." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void awaitApplied(long target) throws Exception {
        long deadline = System.currentTimeMillis() + 1_800_000;
        while (applied() < target) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the projections did not catch up within 30 minutes");
            }
            Thread.sleep(100);
        }
    }

    static void search(HttpClient http, String frontDoor, String query) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(frontDoor + "/api/v1/search?q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("search answered " + response.statusCode() + ": " + response.body());
        }
    }
}
