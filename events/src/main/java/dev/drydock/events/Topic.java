package dev.drydock.events;

/**
 * The Kafka topics of the event log, one per aggregate family. Records are keyed by
 * repository on {@link #REGISTRY} (so one repository's events stay in order) and by user
 * on {@link #IDENTITY}. The log topics keep their records forever: projections are
 * rebuilt from offset zero.
 */
public enum Topic {
    REGISTRY("drydock.registry.v1", 6, true),
    IDENTITY("drydock.identity.v1", 3, true),
    MAINTENANCE("drydock.maintenance.v1", 1, true),
    /** Events a consumer could not apply, with the reason; kept for inspection. */
    DEAD_LETTER("drydock.dead-letter.v1", 1, true);

    private final String topicName;
    private final int partitions;
    private final boolean unlimitedRetention;

    Topic(String topicName, int partitions, boolean unlimitedRetention) {
        this.topicName = topicName;
        this.partitions = partitions;
        this.unlimitedRetention = unlimitedRetention;
    }

    public String topicName() {
        return topicName;
    }

    public int partitions() {
        return partitions;
    }

    public boolean unlimitedRetention() {
        return unlimitedRetention;
    }
}
