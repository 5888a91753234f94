package dev.drydock.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaDurabilityTest {

    @Test
    void producersWaitForEveryInSyncReplicaAndWriteARetriedSendOnce() {
        Map<String, Object> settings = KafkaDurability.producerSettings();
        assertEquals("all", settings.get("acks"));
        assertEquals(true, settings.get("enable.idempotence"));
        assertEquals(5, settings.get("max.in.flight.requests.per.connection"));
    }

    @Test
    void aTopicNeedsTwoReplicasOfThreeAndNeverElectsALaggingLeader() {
        assertEquals(
                Map.of("min.insync.replicas", "1", "unclean.leader.election.enable", "false"),
                KafkaDurability.topicSettings(1));
        assertEquals("1", KafkaDurability.topicSettings(2).get("min.insync.replicas"));
        assertEquals("2", KafkaDurability.topicSettings(3).get("min.insync.replicas"));
        assertEquals("2", KafkaDurability.topicSettings(5).get("min.insync.replicas"));
        assertThrows(IllegalArgumentException.class, () -> KafkaDurability.topicSettings(0));
    }
}
