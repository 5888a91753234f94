package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.events.Topic;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: the durability the outbox relies on when it deletes an event Kafka acknowledged is
 * read back from the broker, not assumed. Every event topic refuses unclean leader elections,
 * needs its in-sync replicas and (one broker) flushes each write before acknowledging it; the
 * services' producers are idempotent, which the broker shows as producer state on the partitions
 * they wrote; and a topic whose settings were weakened by hand is set right at the next start.
 */
class KafkaDurabilityIT {

    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    @Test
    void everyEventTopicIsDurableAndThePlatformsProducersAreIdempotent() throws Exception {
        Platform platform = Platform.get();
        String repository = "durable/k" + UUID.randomUUID().toString().substring(0, 6);
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < Topic.REGISTRY.partitions(); p++) {
            partitions.add(new TopicPartition(Topic.REGISTRY.topicName(), p));
        }
        Map<String, Integer> before;
        try (Admin admin = Admin.create(TestInfra.Kafka.shared().clientSettings())) {
            before = sequences(admin, partitions);
        }
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer(repository))
                .contentType(INDEX)
                .body("{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]}")
                .put("/v2/" + repository + "/manifests/v1")
                .then()
                .statusCode(201);
        try (Admin admin = Admin.create(TestInfra.Kafka.shared().clientSettings())) {
            for (Topic topic : Topic.values()) {
                Config config = topicConfig(admin, topic);
                assertEquals(
                        "false", config.get("unclean.leader.election.enable").value(), topic.topicName());
                assertEquals("1", config.get("min.insync.replicas").value(), topic.topicName() + " (one replica)");
                assertEquals(
                        "1",
                        config.get("flush.messages").value(),
                        topic.topicName() + ": one broker flushes every write");
                assertEquals("-1", config.get("retention.ms").value(), topic.topicName() + " keeps its records");
            }
            // the push's event reaches Kafka through the outbox; an idempotent producer keeps a
            // producer id and a sequence on each partition it writes, which this push moves on (a
            // producer without idempotence leaves neither)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, Integer> after = sequences(admin, partitions);
                assertTrue(
                        after.entrySet().stream().anyMatch(p -> p.getValue() > before.getOrDefault(p.getKey(), -1)),
                        "no idempotent producer wrote this push's event: before " + before + ", after " + after);
            });
        }
    }

    @Test
    void aTopicWeakenedByHandIsSetRightAtTheNextStart() throws Exception {
        try (KafkaBrokerProcess kafka = new KafkaBrokerProcess()) {
            kafka.start();
            ConfigResource registry = new ConfigResource(ConfigResource.Type.TOPIC, Topic.REGISTRY.topicName());
            try (Admin admin = Admin.create(kafka.cluster().clientSettings())) {
                admin.incrementalAlterConfigs(Map.of(
                                registry,
                                List.of(
                                        new AlterConfigOp(
                                                new ConfigEntry("unclean.leader.election.enable", "true"),
                                                AlterConfigOp.OpType.SET),
                                        new AlterConfigOp(
                                                new ConfigEntry("min.insync.replicas", "1"),
                                                AlterConfigOp.OpType.DELETE))))
                        .all()
                        .get();
                assertEquals(
                        "true",
                        topicConfig(admin, Topic.REGISTRY)
                                .get("unclean.leader.election.enable")
                                .value());
            }
            kafka.stop();
            kafka.start();
            try (Admin admin = Admin.create(kafka.cluster().clientSettings())) {
                Config config = topicConfig(admin, Topic.REGISTRY);
                assertEquals(
                        "false", config.get("unclean.leader.election.enable").value());
                assertEquals("1", config.get("min.insync.replicas").value());
            }
        }
    }

    /** The last sequence of each idempotent producer on each partition, by "partition/producer id". */
    private static Map<String, Integer> sequences(Admin admin, List<TopicPartition> partitions) throws Exception {
        Map<String, Integer> sequences = new HashMap<>();
        admin.describeProducers(partitions).all().get().forEach((partition, description) -> {
            for (ProducerState producer : description.activeProducers()) {
                sequences.put(partition.partition() + "/" + producer.producerId(), producer.lastSequence());
            }
        });
        return sequences;
    }

    private static Config topicConfig(Admin admin, Topic topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.topicName());
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
