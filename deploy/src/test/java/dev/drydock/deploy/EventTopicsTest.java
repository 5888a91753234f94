package dev.drydock.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventTopicsTest {

    @Test
    void aTopicSettingIsShortOnlyWhereItIsLessSafe() {
        assertTrue(EventTopics.shortOf("unclean.leader.election.enable", "true", "false"));
        assertFalse(EventTopics.shortOf("unclean.leader.election.enable", "false", "false"));
        assertTrue(EventTopics.shortOf("min.insync.replicas", "1", "2"));
        assertFalse(EventTopics.shortOf("min.insync.replicas", "2", "2"));
        assertFalse(EventTopics.shortOf("min.insync.replicas", "3", "2"), "an operator's stricter setting stays");
    }
}
