package dev.drydock.registry.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

class PullEventsTest {

    private static final String INDEX = "sha256:" + "1".repeat(64);
    private static final String AMD64 = "sha256:" + "2".repeat(64);
    private static final Actor CI = new Actor("ci", "token-1", "10.0.0.7", "containerd/1.7");
    private static final Actor ALICE = new Actor("alice", null, "10.0.0.8", "skopeo/1.13");

    @Test
    void pullsOfTheSameManifestByTheSameReferenceAndActorBecomeOneEventWithTheirCount() {
        PullEvents.Pull first = pull(CI, "latest", INDEX, true);
        List<Event> merged = PullEvents.merged(List.of(
                first,
                pull(CI, "latest", INDEX, true),
                pull(ALICE, "latest", INDEX, true),
                pull(CI, AMD64, AMD64, false),
                pull(CI, "latest", INDEX, true)));

        assertEquals(3, merged.size());
        assertEquals(first.at(), merged.get(0).time());
        assertEquals(
                List.of("latest", "latest", AMD64),
                merged.stream()
                        .map(e -> ((RegistryEvents.ImagePulled) e.data()).reference())
                        .toList());
        assertEquals(
                List.of(3, 1, 1),
                merged.stream()
                        .map(e -> ((RegistryEvents.ImagePulled) e.data()).count())
                        .toList());
        assertEquals(List.of(CI, ALICE, CI), merged.stream().map(Event::actor).toList());
        assertEquals(
                5,
                merged.stream()
                        .mapToInt(e -> ((RegistryEvents.ImagePulled) e.data()).count())
                        .sum());
    }

    private static PullEvents.Pull pull(Actor actor, String reference, String digest, boolean byTag) {
        return new PullEvents.Pull(
                actor,
                "acme/app",
                reference,
                digest,
                "application/vnd.oci.image.index.v1+json",
                byTag,
                java.time.Instant.now());
    }
}
