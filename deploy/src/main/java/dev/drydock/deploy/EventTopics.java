package dev.drydock.deploy;

import dev.drydock.events.KafkaLogin;
import dev.drydock.events.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creates the event log topics explicitly (partitions, retention); those that exist are left alone. */
final class EventTopics {

    private EventTopics() {
    }

    static void ensure(String bootstrap, KafkaLogin login) throws InterruptedException, ExecutionException {
        Map<String, Object> settings = login.clientSettings(bootstrap);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        try (Admin admin = Admin.create(settings)) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            Set<String> existing;
            while (true) {
                try {
                    existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("Kafka at " + bootstrap + " does not answer", e);
                    }
                    Thread.sleep(500);
                }
            }
            short replication = Short.parseShort(Infrastructure.env("DRYDOCK_KAFKA_REPLICATION_FACTOR", "1"));
            for (Topic topic : Topic.values()) {
                if (existing.contains(topic.topicName())) {
                    continue;
                }
                Map<String, String> configs = new HashMap<>();
                if (topic.unlimitedRetention()) {
                    configs.put("retention.ms", "-1");
                    configs.put("retention.bytes", "-1");
                }
                try {
                    admin.createTopics(java.util.List.of(new NewTopic(topic.topicName(), topic.partitions(), replication)
                            .configs(configs))).all().get();
                    Infrastructure.log("created topic " + topic.topicName() + " (" + topic.partitions() + " partitions)");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }
}
