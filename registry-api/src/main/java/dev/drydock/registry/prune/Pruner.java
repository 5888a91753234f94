package dev.drydock.registry.prune;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventData;
import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.RepositoryName;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.manifest.ManifestCache;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Removes dangling manifests, as {@code docker image prune} removes dangling images: those that no
 * tag reaches. A manifest is kept when a tag points at it, when it was pushed (or pushed again)
 * within the grace period, when a kept index lists it, or when its subject is kept (signatures,
 * SBOMs and other referrers follow their image). A young manifest keeps what it reaches too: a
 * client may be about to tag the index it just pushed over older children. How this stays safe while pushes run: docs/garbage-collection.md.
 */
@ApplicationScoped
public class Pruner {

    /** Every manifest of a repository that nothing kept reaches, oldest first. */
    private static final String DANGLING = """
            WITH RECURSIVE edge (from_digest, to_digest) AS (
                SELECT manifest_digest, referenced FROM manifest_reference WHERE repository_id = ? AND kind = 'manifest'
                UNION ALL
                SELECT subject_digest, digest FROM manifest WHERE repository_id = ? AND subject_digest IS NOT NULL
            ), kept (digest) AS (
                SELECT digest FROM tag WHERE repository_id = ?
                UNION
                SELECT digest FROM manifest WHERE repository_id = ? AND touched_at >= now() - make_interval(secs => ?)
                UNION
                SELECT e.to_digest FROM edge e JOIN kept k ON e.from_digest = k.digest
            )
            SELECT m.digest, m.media_type, m.pushed_at FROM manifest m
            WHERE m.repository_id = ? AND m.digest NOT IN (SELECT digest FROM kept)
              AND (?::timestamptz IS NULL OR m.touched_at < ?::timestamptz)
            ORDER BY m.pushed_at, m.digest""";

    /**
     * The bytes of the blobs the given manifests reference that no other manifest of any
     * repository references, each blob once, by the sizes the manifests declare.
     */
    private static final String FREED = """
            SELECT coalesce(sum(size), 0) FROM (
                SELECT DISTINCT ON (referenced) referenced, size FROM manifest_reference
                WHERE kind = 'blob' AND repository_id = ? AND manifest_digest = ANY (?)
            ) r
            WHERE NOT EXISTS (SELECT 1 FROM manifest_reference o WHERE o.kind = 'blob' AND o.referenced = r.referenced
                              AND (?::bigint[] IS NULL OR o.repository_id = ANY (?::bigint[]))
                              AND NOT (o.repository_id = ? AND o.manifest_digest = ANY (?)))""";

    private final AgroalDataSource dataSource;
    private final Repositories repositories;
    private final ManifestCache cache;
    private final Duration grace;
    private final Retention retention;

    Pruner(
            AgroalDataSource dataSource,
            Repositories repositories,
            ManifestCache cache,
            Retention retention,
            @ConfigProperty(name = "drydock.gc.grace", defaultValue = "PT1H") Duration grace) {
        this.retention = retention;
        this.dataSource = dataSource;
        this.repositories = repositories;
        this.cache = cache;
        this.grace = grace;
    }

    public record Removed(String repository, String digest, String mediaType, Instant pushedAt) {}

    /**
     * @param scope      what the caller asked to prune: a repository, a namespace, or {@code *}
     * @param bytesFreed see {@link RegistryEvents.PruneCompleted#bytesFreed()} and {@link #prune}
     */
    public record Report(
            String scope,
            boolean dryRun,
            Instant until,
            List<Retention.RemovedTag> tags,
            List<Removed> manifests,
            long bytesFreed) {}

    /**
     * Prunes each repository in its own transaction; a dry run reads the same candidates and
     * changes nothing. A real run publishes {@code prune.started}, a {@code tag.deleted} for each
     * tag the retention rules remove, a {@code manifest.deleted} for each manifest, and
     * {@code prune.completed}.
     *
     * @param until        only manifests last pushed before this instant (docker's {@code --filter until=}); null for all
     * @param others       the repositories whose manifests keep a blob from counting as freed: null
     *                     for every repository (a platform admin); otherwise those the caller may
     *                     read, so that the figure tells nothing of repositories the caller may not see
     * @param withRetention whether each repository's retention rules remove tags first (docker's
     *                     {@code --all}); a dry run removes them in a transaction it rolls back, and
     *                     reads what would then dangle in it
     */
    public Report prune(
            String scope,
            List<RepositoryName> names,
            Instant until,
            boolean dryRun,
            long[] others,
            Actor actor,
            boolean withRetention)
            throws SQLException {
        return prune(scope, names, until, dryRun, others, actor, withRetention, Progress.NONE);
    }

    /** Told after each repository of a prune what it removed (or would remove). */
    public interface Progress {
        Progress NONE = (tags, manifests, bytes) -> {};

        void repositoryDone(int tags, int manifests, long bytes);
    }

    /** As {@link #prune(String, List, Instant, boolean, long[], Actor, boolean)}, telling {@code progress} as it goes. */
    public Report prune(
            String scope,
            List<RepositoryName> names,
            Instant until,
            boolean dryRun,
            long[] others,
            Actor actor,
            boolean withRetention,
            Progress progress)
            throws SQLException {
        String untilText = until == null ? null : until.toString();
        String rules = withRetention ? "retention,dangling" : "dangling";
        if (!dryRun) {
            emitAlone(actor, new RegistryEvents.PruneStarted(scope, rules, untilText));
        }
        List<Retention.RemovedTag> untagged = new ArrayList<>();
        List<Removed> removed = new ArrayList<>();
        long freed = 0;
        for (RepositoryName name : names) {
            RepositoryResult result;
            if (dryRun) {
                result = withRetention
                        ? rolledBack(() -> previewWithRetention(name, until, others, actor))
                        : preview(name, until, others);
            } else {
                // the rules' tags go in a transaction of their own, committed before prune locks any
                // manifest: a push locks a manifest, then its tag, so one transaction holding tags
                // while waiting for manifests could deadlock with it
                List<Retention.RemovedTag> tags = withRetention
                        ? QuarkusTransaction.requiringNew().call(() -> applyRetention(name, actor))
                        : List.of();
                RepositoryResult pruned =
                        QuarkusTransaction.requiringNew().call(() -> remove(name, until, others, actor));
                result = new RepositoryResult(tags, pruned.removed(), pruned.bytesFreed());
            }
            untagged.addAll(result.tags());
            removed.addAll(result.removed());
            freed += result.bytesFreed();
            progress.repositoryDone(result.tags().size(), result.removed().size(), result.bytesFreed());
        }
        if (!dryRun) {
            emitAlone(actor, new RegistryEvents.PruneCompleted(scope, rules, untilText, removed.size(), freed));
        }
        return new Report(scope, dryRun, until, untagged, removed, freed);
    }

    /** Carries a dry run's result out of the transaction it rolls back. */
    private static final class RolledBack extends RuntimeException {
        private final transient RepositoryResult result;

        RolledBack(RepositoryResult result) {
            super("a dry run, rolled back", null, false, false);
            this.result = result;
        }
    }

    /** Runs a real prune in a transaction that is then rolled back: exactly what it would do, and nothing done. */
    private static RepositoryResult rolledBack(Callable<RepositoryResult> prune) {
        try {
            QuarkusTransaction.requiringNew().call(() -> {
                throw new RolledBack(prune.call());
            });
        } catch (RolledBack dryRun) {
            return dryRun.result;
        } catch (QuarkusTransactionException e) {
            if (e.getCause() instanceof RolledBack dryRun) {
                return dryRun.result;
            }
            throw e;
        }
        throw new IllegalStateException("a dry run's transaction ended without its result");
    }

    private record RepositoryResult(List<Retention.RemovedTag> tags, List<Removed> removed, long bytesFreed) {}

    private List<Retention.RemovedTag> applyRetention(RepositoryName name, Actor actor) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            var id = repositories.find(c, name);
            var policy = retention.policyFor(name);
            if (id.isEmpty() || policy.isEmpty()) {
                return List.of();
            }
            return retention.apply(c, name, id.getAsLong(), policy.get(), actor);
        }
    }

    /** In one transaction (which the caller rolls back): the rules' tags go, then what would dangle is read, unlocked. */
    private RepositoryResult previewWithRetention(RepositoryName name, Instant until, long[] others, Actor actor)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            var id = repositories.find(c, name);
            if (id.isEmpty()) {
                return new RepositoryResult(List.of(), List.of(), 0);
            }
            var policy = retention.policyFor(name);
            List<Retention.RemovedTag> tags =
                    policy.isEmpty() ? List.of() : retention.apply(c, name, id.getAsLong(), policy.get(), actor);
            List<Removed> candidates = dangling(c, name, id.getAsLong(), until);
            return new RepositoryResult(tags, candidates, freed(c, id.getAsLong(), digests(candidates), others));
        }
    }

    private RepositoryResult preview(RepositoryName name, Instant until, long[] others) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            var id = repositories.find(c, name);
            if (id.isEmpty()) {
                return new RepositoryResult(List.of(), List.of(), 0);
            }
            List<Removed> candidates = dangling(c, name, id.getAsLong(), until);
            return new RepositoryResult(List.of(), candidates, freed(c, id.getAsLong(), digests(candidates), others));
        }
    }

    /**
     * Locks the candidates' rows (waiting for any push that is pointing a tag or an index at one
     * of them), then reads the dangling manifests again: what a push committed meanwhile is seen
     * by this second reading, and only manifests dangling in both are removed.
     */
    private RepositoryResult remove(RepositoryName name, Instant until, long[] others, Actor actor)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            var id = repositories.find(c, name);
            if (id.isEmpty()) {
                return new RepositoryResult(List.of(), List.of(), 0);
            }
            long repository = id.getAsLong();
            List<Removed> first = dangling(c, name, repository, until);
            if (first.isEmpty()) {
                return new RepositoryResult(List.of(), List.of(), 0);
            }
            Set<String> locked = new LinkedHashSet<>();
            try (PreparedStatement lock = c.prepareStatement(
                    "SELECT digest FROM manifest WHERE repository_id = ? AND digest = ANY (?) ORDER BY digest FOR UPDATE")) {
                lock.setLong(1, repository);
                lock.setArray(2, c.createArrayOf("text", digests(first).toArray()));
                try (ResultSet rs = lock.executeQuery()) {
                    while (rs.next()) {
                        locked.add(rs.getString(1));
                    }
                }
            }
            List<Removed> going = dangling(c, name, repository, until).stream()
                    .filter(candidate -> locked.contains(candidate.digest()))
                    .toList();
            if (going.isEmpty()) {
                return new RepositoryResult(List.of(), List.of(), 0);
            }
            cache.changing(repository);
            List<String> digests = digests(going);
            long freed = freed(c, repository, digests, others);
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM manifest WHERE repository_id = ? AND digest = ANY (?)")) {
                delete.setLong(1, repository);
                delete.setArray(2, c.createArrayOf("text", digests.toArray()));
                delete.executeUpdate();
            }
            for (Removed manifest : going) {
                Outbox.append(
                        c,
                        Event.of(
                                DomainEvents.SOURCE,
                                actor,
                                new RegistryEvents.ManifestDeleted(name.value(), manifest.digest())));
            }
            return new RepositoryResult(List.of(), going, freed);
        }
    }

    List<Removed> dangling(Connection c, RepositoryName name, long repository, Instant until) throws SQLException {
        List<Removed> found = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(DANGLING)) {
            select.setLong(1, repository);
            select.setLong(2, repository);
            select.setLong(3, repository);
            select.setLong(4, repository);
            select.setDouble(5, grace.toMillis() / 1000.0);
            select.setLong(6, repository);
            Timestamp before = until == null ? null : Timestamp.from(until);
            select.setTimestamp(7, before);
            select.setTimestamp(8, before);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(new Removed(
                            name.value(),
                            rs.getString(1),
                            rs.getString(2),
                            rs.getTimestamp(3).toInstant()));
                }
            }
        }
        return found;
    }

    private static long freed(Connection c, long repository, List<String> digests, long[] others) throws SQLException {
        if (digests.isEmpty()) {
            return 0;
        }
        try (PreparedStatement select = c.prepareStatement(FREED)) {
            Array array = c.createArrayOf("text", digests.toArray());
            select.setLong(1, repository);
            select.setArray(2, array);
            Array othersArray = others == null
                    ? null
                    : c.createArrayOf("bigint", LongStream.of(others).boxed().toArray());
            select.setArray(3, othersArray);
            select.setArray(4, othersArray);
            select.setLong(5, repository);
            select.setArray(6, array);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<String> digests(List<Removed> manifests) {
        return manifests.stream().map(Removed::digest).toList();
    }

    private void emitAlone(Actor actor, EventData data) {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                Outbox.append(c, Event.of(DomainEvents.SOURCE, actor, data));
            } catch (SQLException e) {
                throw new IllegalStateException(
                        "cannot record " + data.getClass().getSimpleName(), e);
            }
        });
    }
}
