package dev.drydock.readapi;

import java.time.Instant;
import java.util.List;

/**
 * A repository as the read API shows it.
 *
 * @param recentPulls the pulls of the last 30 days (up to the newest projected event's day)
 * @param starred     whether the viewer has starred it
 * @param readme      the README in Markdown; only when one repository is asked for
 */
public record RepositorySummary(
        String name,
        String namespace,
        String visibility,
        String description,
        Instant createdAt,
        Instant lastPushedAt,
        String lastPushedBy,
        long stars,
        long pulls,
        long recentPulls,
        boolean starred,
        String readme,
        List<TagView> tags) {}
