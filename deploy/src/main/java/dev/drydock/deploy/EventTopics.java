package dev.drydock.deploy;

import dev.drydock.events.KafkaDurability;
import dev.drydock.events.KafkaLogin;
import dev.drydock.events.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the event log topics explicitly (partitions, retention, {@link KafkaDurability}'s
 * settings). Topics that exist keep their partitions, but their durability settings are checked at
 * every start and set where the value in effect falls short; a cluster that refuses that stops the
 * launcher, since acknowledged events could then be lost.
 */
final class EventTopics {

    private EventTopics() {}

    static void ensure(String bootstrap, KafkaLogin login) throws InterruptedException, ExecutionException {
        Map<String, Object> settings = login.clientSettings(bootstrap);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        try (Admin admin = Admin.create(settings)) {
            Set<String> existing = topics(admin, bootstrap);
            short replication = Short.parseShort(Infrastructure.env("DRYDOCK_KAFKA_REPLICATION_FACTOR", "1"));
            for (Topic topic : Topic.values()) {
                if (existing.contains(topic.topicName())) {
                    continue;
                }
                Map<String, String> configs = new HashMap<>(KafkaDurability.topicSettings(replication));
                if (topic.unlimitedRetention()) {
                    configs.put("retention.ms", "-1");
                    configs.put("retention.bytes", "-1");
                }
                try {
                    admin.createTopics(List.of(
                                    new NewTopic(topic.topicName(), topic.partitions(), replication).configs(configs)))
                            .all()
                            .get();
                    Infrastructure.log(
                            "created topic " + topic.topicName() + " (" + topic.partitions() + " partitions, "
                                    + replication + " replicas, " + KafkaDurability.topicSettings(replication) + ")");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            enforceDurability(admin);
        }
    }

    private static Set<String> topics(Admin admin, String bootstrap) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            try {
                return admin.listTopics().names().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Kafka at " + bootstrap + " does not answer", e);
                }
                Thread.sleep(500);
            }
        }
    }

    /**
     * Reads each topic's settings with its actual replication and sets what falls short of
     * {@link KafkaDurability#topicSettings}: a topic made by hand, or by an older launcher, would
     * otherwise let an acknowledged event be lost.
     */
    private static void enforceDurability(Admin admin) throws InterruptedException, ExecutionException {
        List<String> names = new ArrayList<>();
        for (Topic topic : Topic.values()) {
            names.add(topic.topicName());
        }
        Map<String, Integer> replicas = new HashMap<>();
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                .toList();
        Map<ConfigResource, Config> current;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                admin.describeTopics(names)
                        .allTopicNames()
                        .get()
                        .forEach((name, description) -> replicas.put(
                                name,
                                description.partitions().stream()
                                        .mapToInt(p -> p.replicas().size())
                                        .min()
                                        .orElse(1)));
                current = admin.describeConfigs(resources).all().get();
                break;
            } catch (ExecutionException e) {
                // a topic created a moment ago is not yet known to every part of the cluster
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (ConfigResource resource : resources) {
            Map<String, String> wanted = KafkaDurability.topicSettings(replicas.get(resource.name()));
            List<AlterConfigOp> ops = new ArrayList<>();
            for (Map.Entry<String, String> setting : wanted.entrySet()) {
                ConfigEntry entry = current.get(resource).get(setting.getKey());
                // the effective value, wherever it comes from (the topic, the broker's default):
                // a cluster that is safe already is not asked to change, and a stricter value stays
                if (entry == null
                        || entry.value() == null
                        || shortOf(setting.getKey(), entry.value(), setting.getValue())) {
                    ops.add(new AlterConfigOp(
                            new ConfigEntry(setting.getKey(), setting.getValue()), AlterConfigOp.OpType.SET));
                    Infrastructure.log("topic " + resource.name() + ": " + setting.getKey() + " was "
                            + (entry == null ? "unknown" : entry.value()) + ", set to " + setting.getValue());
                }
            }
            if (!ops.isEmpty()) {
                changes.put(resource, ops);
            }
        }
        if (!changes.isEmpty()) {
            try {
                admin.incrementalAlterConfigs(changes).all().get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "the event topics lack their durability settings and Kafka refused to set them ("
                                + e.getCause().getMessage() + "); set " + changes + " on the cluster, then start again",
                        e);
            }
        }
        report(admin, resources);
    }

    /** Logs the settings as Kafka now reports them; {@code ./drydock status} shows this line. */
    private static void report(Admin admin, List<ConfigResource> topics)
            throws InterruptedException, ExecutionException {
        Map<ConfigResource, Config> now = admin.describeConfigs(topics).all().get();
        Set<String> minInsync = new TreeSet<>();
        Set<String> unclean = new TreeSet<>();
        Set<String> flush = new TreeSet<>();
        for (Config config : now.values()) {
            minInsync.add(config.get(KafkaDurability.MIN_INSYNC_REPLICAS).value());
            unclean.add(config.get(KafkaDurability.UNCLEAN_LEADER_ELECTION).value());
            flush.add(config.get("flush.messages").value());
        }
        Infrastructure.log("Kafka durability: producers acks=all and idempotent; topics min.insync.replicas="
                + String.join("/", minInsync)
                + ", unclean.leader.election.enable=" + String.join("/", unclean)
                + ", flush.messages="
                + String.join("/", flush).replace(Long.toString(Long.MAX_VALUE), "never (replication only)"));
    }

    /** Whether a topic's {@code current} value of {@code name} is less safe than {@code wanted}. */
    static boolean shortOf(String name, String current, String wanted) {
        if (KafkaDurability.MIN_INSYNC_REPLICAS.equals(name)) {
            return Integer.parseInt(current) < Integer.parseInt(wanted);
        }
        return !current.equals(wanted);
    }
}
