package dev.drydock.events;

import java.time.Instant;
import java.util.UUID;

/**
 * One event as it travels on the log: the CloudEvents attributes, who caused it, and the payload.
 *
 * @param source the service that produced it, e.g. {@code /drydock/registry-api}
 */
public record Event(UUID id, EventType type, String source, Instant time, Actor actor, EventData data) {

    public static Event of(String source, Actor actor, EventData data) {
        return new Event(UUID.randomUUID(), EventType.of(data), source, Instant.now(), actor, data);
    }

    public String subject() {
        return data.subject();
    }
}
