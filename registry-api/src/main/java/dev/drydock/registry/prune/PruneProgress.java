package dev.drydock.registry.prune;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each caller's latest prune on this instance, updated after every repository, so that a long
 * prune can be followed ({@code GET /api/v1/prune}, the launcher's progress line) while its
 * request waits. Kept in memory: a prune runs and is followed through the same registry-api (the
 * launcher's single machine); its durable record is the {@code prune.started} and
 * {@code prune.completed} events.
 */
@ApplicationScoped
public class PruneProgress {

    /** Callers followed at most; the oldest finished prunes are forgotten first. */
    private static final int KEPT = 1_000;

    private final Map<String, Run> latest = new ConcurrentHashMap<>();

    /** One prune as it goes: how many of its repositories are done, and what they removed. */
    public static final class Run implements Pruner.Progress {
        private final String scope;
        private final boolean dryRun;
        private final int repositories;
        private final Instant startedAt = Instant.now();
        private volatile int done;
        private volatile int tags;
        private volatile int manifests;
        private volatile long bytes;
        private volatile Instant finishedAt;
        private volatile String outcome;

        Run(String scope, boolean dryRun, int repositories) {
            this.scope = scope;
            this.dryRun = dryRun;
            this.repositories = repositories;
        }

        @Override
        public void repositoryDone(int tags, int manifests, long bytes) {
            this.tags += tags;
            this.manifests += manifests;
            this.bytes += bytes;
            this.done++;
        }

        void finish(String outcome) {
            this.outcome = outcome;
            this.finishedAt = Instant.now();
        }

        public boolean running() {
            return outcome == null;
        }

        /** One line, as the launcher prints it. */
        public String line() {
            String what = (dryRun ? "would remove " : "removed ") + tags + " tags and " + manifests + " manifests ("
                    + Sizes.human(bytes) + ")";
            String of = scope.equals("*") ? "the platform" : scope;
            String kind = dryRun ? ", a dry run" : "";
            long seconds = Duration.between(startedAt, finishedAt == null ? Instant.now() : finishedAt)
                    .toSeconds();
            if (running()) {
                return "Prune of " + of + " running" + kind + ": " + done + " of " + repositories + " repositories, "
                        + what + " so far, " + seconds + " s";
            }
            return "Prune of " + of + " " + outcome + kind + ": " + done + " of " + repositories + " repositories, "
                    + what + ", in " + seconds + " s";
        }

        /** As JSON for {@code GET /api/v1/prune}. */
        public Map<String, Object> view() {
            return Map.ofEntries(
                    Map.entry("scope", scope),
                    Map.entry("dryRun", dryRun),
                    Map.entry("running", running()),
                    Map.entry("repositories", repositories),
                    Map.entry("done", done),
                    Map.entry("tags", tags),
                    Map.entry("manifests", manifests),
                    Map.entry("bytesFreed", bytes),
                    Map.entry("startedAt", startedAt.toString()),
                    Map.entry("finishedAt", finishedAt == null ? "" : finishedAt.toString()),
                    Map.entry("outcome", outcome == null ? "" : outcome));
        }
    }

    Run start(String caller, String scope, boolean dryRun, int repositories) {
        if (latest.size() >= KEPT) {
            latest.values().removeIf(run -> !run.running());
        }
        Run run = new Run(scope, dryRun, repositories);
        latest.put(caller, run);
        return run;
    }

    /** The caller's latest prune on this instance, running or ended. */
    public Optional<Run> latest(String caller) {
        return Optional.ofNullable(latest.get(caller));
    }
}
