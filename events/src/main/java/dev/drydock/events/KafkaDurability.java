package dev.drydock.events;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the event log's durability rests on in Kafka, in one place: every producer of the platform
 * waits for all in-sync replicas and is idempotent (a retried send is written once), and every
 * topic refuses a write that too few replicas hold and never elects a leader that lacks acknowledged
 * records. The outbox deletes an event once Kafka acknowledged it, so an acknowledgement must mean
 * the record survives what the topic's replication can survive.
 */
public final class KafkaDurability {

    /** Topic setting: a replica that fell behind never becomes leader (it would drop acknowledged records). */
    public static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";
    /** Topic setting: how many replicas must hold a record before an {@code acks=all} send is acknowledged. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    private KafkaDurability() {}

    /** Producer settings on top of the login's: acknowledged by all in-sync replicas, written once. */
    public static Map<String, Object> producerSettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("acks", "all");
        settings.put("enable.idempotence", true);
        // idempotence keeps order and uniqueness only up to five requests in flight
        settings.put("max.in.flight.requests.per.connection", 5);
        return settings;
    }

    /**
     * The topic settings for a topic of {@code replicationFactor} replicas: with three or more, a
     * write needs two of them (one broker may be down and writes go on); with fewer, every replica
     * there is must hold it only as far as the factor allows (1 for 1, 1 for 2).
     */
    public static Map<String, String> topicSettings(int replicationFactor) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("a replication factor of at least 1, not " + replicationFactor);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(MIN_INSYNC_REPLICAS, Integer.toString(minInsyncReplicas(replicationFactor)));
        settings.put(UNCLEAN_LEADER_ELECTION, "false");
        return settings;
    }

    static int minInsyncReplicas(int replicationFactor) {
        return replicationFactor >= 3 ? 2 : 1;
    }
}
