package dev.drydock.registry.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.registry.identity.IdentityException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which tags the rules remove: pure logic, no database. */
class RetentionPolicyTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static RetentionPolicy.TagState tag(String name, Duration pointedAgo, Duration pulledAgo) {
        return new RetentionPolicy.TagState(
                name, NOW.minus(pointedAgo), pulledAgo == null ? null : NOW.minus(pulledAgo));
    }

    private static RetentionPolicy policy(List<RetentionPolicy.Rule> rules, List<String> protect) {
        return RetentionPolicy.validated(new RetentionPolicy(rules, protect));
    }

    @Test
    void keepLastKeepsTheMostRecentlyPointedOfTheMatchingTagsAndProtectedOnesNeitherGoNorCount() {
        List<RetentionPolicy.TagState> tags = List.of(
                tag("v1", Duration.ofDays(5), null),
                tag("v2", Duration.ofDays(4), null),
                tag("v3", Duration.ofDays(3), null),
                tag("v4", Duration.ofDays(2), null),
                tag("v5", Duration.ofDays(1), null),
                tag("v0-release", Duration.ofDays(9), null),
                tag("latest", Duration.ofDays(8), null));
        RetentionPolicy keepTwo = policy(List.of(new RetentionPolicy.Rule("v*", 2, null, null)), List.of("*-release"));
        assertEquals(Set.of("v1", "v2", "v3"), keepTwo.removals(tags, NOW));
        RetentionPolicy keepNone =
                policy(List.of(new RetentionPolicy.Rule(null, 0, null, null)), List.of("latest", "v?"));
        assertEquals(Set.of("v0-release"), keepNone.removals(tags, NOW));
    }

    @Test
    void agesCountFromTheLastPointingAndNotPulledCountsFromTheLaterOfPushAndPull() {
        List<RetentionPolicy.TagState> tags = List.of(
                tag("old-pulled", Duration.ofDays(40), Duration.ofDays(1)),
                tag("old-idle", Duration.ofDays(40), Duration.ofDays(20)),
                tag("old-never", Duration.ofDays(40), null),
                tag("new-never", Duration.ofDays(2), null));
        RetentionPolicy olderThan = policy(List.of(new RetentionPolicy.Rule("*", null, "30d", null)), List.of());
        assertEquals(Set.of("old-pulled", "old-idle", "old-never"), olderThan.removals(tags, NOW));
        RetentionPolicy idle = policy(List.of(new RetentionPolicy.Rule("*", null, null, "14d")), List.of());
        assertEquals(Set.of("old-idle", "old-never"), idle.removals(tags, NOW));
        RetentionPolicy either = policy(
                List.of(
                        new RetentionPolicy.Rule("old-p*", null, "1d12h", null),
                        new RetentionPolicy.Rule("new-*", null, null, "36h")),
                List.of());
        assertEquals(Set.of("old-pulled", "new-never"), either.removals(tags, NOW));
        assertEquals(Duration.ofHours(36).plusMinutes(5).plusSeconds(3), RetentionPolicy.age("1d12h5m3s"));
    }

    @Test
    void rulesThatDoNotParseAreRefusedNamingTheProblem() {
        List<List<RetentionPolicy.Rule>> bad = List.of(
                List.of(),
                List.of(new RetentionPolicy.Rule("*", null, null, null)),
                List.of(new RetentionPolicy.Rule("*", 3, "30d", null)),
                List.of(new RetentionPolicy.Rule("*", -1, null, null)),
                List.of(new RetentionPolicy.Rule("*", null, "30 days", null)),
                List.of(new RetentionPolicy.Rule("*", null, null, "")),
                List.of(new RetentionPolicy.Rule("v[0-9]+", 3, null, null)),
                List.of(new RetentionPolicy.Rule("a/b", 3, null, null)),
                List.of(new RetentionPolicy.Rule("x".repeat(129), 3, null, null)));
        for (List<RetentionPolicy.Rule> rules : bad) {
            IdentityException refused =
                    assertThrows(IdentityException.class, () -> policy(rules, List.of()), rules.toString());
            assertEquals(400, refused.status(), rules.toString());
        }
        assertThrows(
                IdentityException.class,
                () -> policy(List.of(new RetentionPolicy.Rule("*", 1, null, null)), List.of("re lease")));
        assertThrows(IdentityException.class, () -> RetentionPolicy.validated(null));
        RetentionPolicy defaulted = policy(List.of(new RetentionPolicy.Rule(null, 1, null, null)), null);
        assertEquals("*", defaulted.rules().get(0).tags());
        assertTrue(defaulted.protect().isEmpty());
    }

    @Test
    void globsMatchWholeTagsAndManyStarsCostLittle() {
        assertTrue(RetentionPolicy.matches("v*", "v1.2"));
        assertTrue(RetentionPolicy.matches("*-release", "v0-release"));
        assertTrue(RetentionPolicy.matches("pr-?", "pr-7"));
        assertTrue(RetentionPolicy.matches("*", ""));
        assertTrue(RetentionPolicy.matches("a*b*c", "aXXbYYc"));
        assertTrue(!RetentionPolicy.matches("pr-?", "pr-17"));
        assertTrue(!RetentionPolicy.matches("v*", "latest-v1"));
        assertTrue(!RetentionPolicy.matches("a.c", "abc"), "a dot is a dot, not any character");
        // a regular expression made of this backtracks for longer than the suite runs; the wildcard
        // matcher answers in at most 128 × 122 steps
        assertTrue(!RetentionPolicy.matches("*a".repeat(60) + "*b", "a".repeat(128)));
    }
}
