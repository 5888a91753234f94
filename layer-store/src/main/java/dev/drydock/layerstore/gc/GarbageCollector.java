package dev.drydock.layerstore.gc;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import dev.drydock.layerstore.blob.BlobLinks;
import dev.drydock.layerstore.storage.FilesystemBlobStore;
import dev.drydock.layerstore.upload.UploadRoutes;
import dev.drydock.oci.Digest;
import dev.drydock.outbox.BlobReferenceLock;
import dev.drydock.outbox.Outbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Online garbage collection of the blob storage, in four phases, while pushes and pulls go on:
 * abandoned uploads; repositories' links to blobs that no manifest of theirs references; blobs no
 * repository links; files in the store without a blob row. Why no phase can remove what a push
 * relies on is written in docs/garbage-collection.md; each step below names the rule it keeps.
 * One collection at a time in the whole platform: a session-level advisory lock (the lease) is
 * held on a connection of its own for the run, and PostgreSQL drops it if this process dies.
 */
@ApplicationScoped
public class GarbageCollector {

    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);
    /** The lease's advisory lock key ("drydock-gc" in ASCII, folded into a long). */
    private static final long LEASE = 0x6472_7964_6f63_6bL;

    private static final int BATCH = 200;

    private final AgroalDataSource dataSource;
    private final GarbageCollection settings;
    private final FilesystemBlobStore store;
    private final UploadRoutes uploads;
    private final CollectionRuns runs;

    GarbageCollector(
            AgroalDataSource dataSource,
            GarbageCollection settings,
            FilesystemBlobStore store,
            UploadRoutes uploads,
            CollectionRuns runs) {
        this.dataSource = dataSource;
        this.runs = runs;
        this.settings = settings;
        this.store = store;
        this.uploads = uploads;
    }

    public record Link(String repository, String digest) {}

    /**
     * What a run removed, or with {@code dryRun} would remove. A dry run reads the same
     * candidates without locks; a real run re-checks each under its lock, so it may remove fewer.
     */
    public record Report(
            boolean dryRun,
            Duration grace,
            List<Link> links,
            int blobs,
            long bytesFreed,
            int uploads,
            int strayFiles) {}

    /** Another collection holds the lease. */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("a garbage collection is running already");
        }
    }

    /**
     * @param pause a wait between phases, for tests that widen the windows between them (zero otherwise)
     * @throws Busy when another collection is running
     */
    public Report collect(boolean dryRun, Actor actor, Duration pause) throws SQLException {
        return collect(dryRun, actor, pause, null);
    }

    /** With {@code dueAfter}, runs only if, under the lease, a collection is still due (null: always). */
    private Report collect(boolean dryRun, Actor actor, Duration pause, Duration dueAfter) throws SQLException {
        try (Connection lease = dataSource.getConnection()) {
            if (!leased(lease)) {
                throw new Busy();
            }
            try {
                if (dueAfter != null && !runs.due(dueAfter)) {
                    return null; // another instance finished one while this one waited for the lease
                }
                long run = runs.start(dryRun, actor.user());
                CollectionRuns.Tally tally = new CollectionRuns.Tally();
                Report report;
                try {
                    report = run(dryRun, actor, pause, run, tally);
                } catch (SQLException | RuntimeException e) {
                    try {
                        runs.finish(run, tally, "failed: " + firstLine(e));
                    } catch (SQLException | RuntimeException unrecorded) {
                        e.addSuppressed(unrecorded); // the database is gone: the next run marks this one interrupted
                    }
                    throw e;
                }
                runs.finish(run, tally, "completed");
                return report;
            } finally {
                try (PreparedStatement unlock = lease.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, LEASE);
                    unlock.executeQuery().close();
                } catch (SQLException gone) {
                    // the session died, and its advisory lock with it
                }
            }
        }
    }

    /**
     * The scheduled collection ({@code drydock.gc.interval}, default daily; {@code off} stops it):
     * checked every {@code drydock.gc.check-interval} (a minute), it runs when no real collection
     * has completed within the interval, by any instance, started by anyone, and none has started
     * within the retry pause (a failing collection is tried again after that, not at every check).
     * An instance that finds the lease taken leaves the run to its holder.
     */
    @Scheduled(every = "${drydock.gc.check-interval:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        Optional<Duration> interval = settings.interval();
        if (interval.isEmpty()) {
            return;
        }
        try {
            if (!registryMigrated()) {
                return; // a fresh install: registry-api has not created what the collector reads yet
            }
            if (runs.due(interval.get())) {
                collect(false, Actor.SYSTEM, Duration.ZERO, interval.get());
            }
        } catch (Busy running) {
            // another instance, or an admin, is collecting now
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("the scheduled garbage collection failed, it is tried again later: %s", firstLine(e));
        }
    }

    /** Whether registry-api's {@code blob_reference} view exists (it is migrated by registry-api, which may start later). */
    private boolean registryMigrated() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            select.setString(1, settings.registrySchema() + ".blob_reference");
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** An exception's message as one line of at most 200 characters (PostgreSQL's run over several). */
    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage())
                .lines()
                .findFirst()
                .orElse(e.getClass().getSimpleName());
        return message.length() > 200 ? message.substring(0, 200) + "…" : message;
    }

    private static boolean leased(Connection lease) throws SQLException {
        try (PreparedStatement lock = lease.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, LEASE);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Whether some session of this database holds the lease (a bigint key is classid, objid and objsubid 1). */
    static boolean leaseHeld(Connection c) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                        + " AND classid = ?::oid AND objid = ?::oid AND objsubid = 1)")) {
            select.setLong(1, LEASE >>> 32);
            select.setLong(2, LEASE & 0xFFFF_FFFFL);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private Report run(boolean dryRun, Actor actor, Duration pause, long run, CollectionRuns.Tally tally)
            throws SQLException {
        tally.uploads = dryRun ? uploads.countAbandonedUploads() : uploads.removeAbandonedUploads();
        runs.progress(run, CollectionRuns.Phase.LINKS, tally);
        pause(pause);
        List<Link> links = new ArrayList<>();
        for (List<Link> batch : batches(unreferencedLinks())) {
            links.addAll(dryRun ? batch : QuarkusTransaction.requiringNew().call(() -> unlink(batch, actor)));
            tally.links = links.size();
            runs.progress(run, CollectionRuns.Phase.LINKS, tally);
        }
        runs.progress(run, CollectionRuns.Phase.BLOBS, tally);
        pause(pause);
        for (List<String> batch : batches(unlinkedBlobs(dryRun))) {
            long[] removed =
                    dryRun ? sizes(batch) : QuarkusTransaction.requiringNew().call(() -> removeBlobs(batch));
            tally.blobs += (int) removed[0];
            tally.bytes += removed[1];
            runs.progress(run, CollectionRuns.Phase.BLOBS, tally);
        }
        runs.progress(run, CollectionRuns.Phase.STRAY_FILES, tally);
        pause(pause);
        for (List<String> batch : batches(store.blobsUntouchedFor(settings.grace()))) {
            for (String digest : withoutRows(batch)) {
                tally.strayFiles +=
                        dryRun ? 1 : QuarkusTransaction.requiringNew().call(() -> removeStrayFile(digest));
            }
            runs.progress(run, CollectionRuns.Phase.STRAY_FILES, tally);
        }
        if (!dryRun) {
            RegistryEvents.GarbageCollected collected = new RegistryEvents.GarbageCollected(
                    "layer-store", tally.links, tally.blobs, tally.bytes, tally.uploads + tally.strayFiles);
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection c = dataSource.getConnection()) {
                    Outbox.append(c, Event.of(BlobLinks.SOURCE, actor, collected));
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot record the garbage collection", e);
                }
            });
            LOG.infof(
                    "garbage collection by %s: %d links, %d blobs (%d bytes), %d abandoned uploads, %d stray files removed",
                    actor.user(), tally.links, tally.blobs, tally.bytes, tally.uploads, tally.strayFiles);
        }
        return new Report(dryRun, settings.grace(), links, tally.blobs, tally.bytes, tally.uploads, tally.strayFiles);
    }

    /** Links untouched for the grace period that no manifest of their repository references (read without locks). */
    private List<Link> unreferencedLinks() throws SQLException {
        List<Link> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT l.repository, l.digest FROM repository_blob l"
                        + " WHERE l.touched_at < now() - make_interval(secs => ?) AND NOT EXISTS (SELECT 1 FROM "
                        + settings.registrySchema()
                        + ".blob_reference r WHERE r.repository = l.repository AND r.digest = l.digest)"
                        + " ORDER BY l.repository, l.digest")) {
            select.setDouble(1, seconds(settings.grace()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(new Link(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return found;
    }

    /**
     * Removes links of one batch. Each pair's reference lock is taken first, without waiting: a
     * pair a manifest push holds is skipped. The DELETE is a statement of its own, so it reads the
     * references as committed after the locks were taken: a push that held a lock before has
     * committed its manifest (and is seen) or rolled back. Its conditions are the candidates'
     * again, so a link touched or referenced since the first reading stays.
     */
    private List<Link> unlink(List<Link> batch, Actor actor) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<String> repositories = new ArrayList<>();
            List<String> digests = new ArrayList<>();
            for (Link link : batch) {
                if (BlobReferenceLock.tryExclusive(c, link.repository(), link.digest())) {
                    repositories.add(link.repository());
                    digests.add(link.digest());
                }
            }
            List<Link> removed = new ArrayList<>();
            if (repositories.isEmpty()) {
                return removed;
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM repository_blob l"
                    + " WHERE (l.repository, l.digest) IN (SELECT * FROM unnest(?::text[], ?::text[]))"
                    + " AND l.touched_at < now() - make_interval(secs => ?) AND NOT EXISTS (SELECT 1 FROM "
                    + settings.registrySchema()
                    + ".blob_reference r WHERE r.repository = l.repository AND r.digest = l.digest)"
                    + " RETURNING l.repository, l.digest")) {
                delete.setArray(1, c.createArrayOf("text", repositories.toArray()));
                delete.setArray(2, c.createArrayOf("text", digests.toArray()));
                delete.setDouble(3, seconds(settings.grace()));
                try (ResultSet rs = delete.executeQuery()) {
                    while (rs.next()) {
                        removed.add(new Link(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            for (Link link : removed) {
                Outbox.append(
                        c,
                        Event.of(
                                BlobLinks.SOURCE,
                                actor,
                                new RegistryEvents.BlobDeleted(link.repository(), link.digest())));
            }
            return removed;
        }
    }

    /**
     * Blobs no repository links whose bytes were stored before the grace period. In a dry run,
     * blobs the link phase would have unlinked count too.
     */
    private List<String> unlinkedBlobs(boolean dryRun) throws SQLException {
        String linked = dryRun
                ? "SELECT 1 FROM repository_blob l WHERE l.digest = b.digest AND (l.touched_at >= now() - make_interval(secs => ?)"
                        + " OR EXISTS (SELECT 1 FROM " + settings.registrySchema() + ".blob_reference r"
                        + " WHERE r.repository = l.repository AND r.digest = l.digest))"
                : "SELECT 1 FROM repository_blob l WHERE l.digest = b.digest";
        List<String> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT b.digest FROM blob b"
                        + " WHERE b.touched_at < now() - make_interval(secs => ?) AND NOT EXISTS (" + linked
                        + ") ORDER BY b.digest")) {
            select.setDouble(1, seconds(settings.grace()));
            if (dryRun) {
                select.setDouble(2, seconds(settings.grace()));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    /** How many of the blobs there are and their bytes: {count, bytes}. */
    private long[] sizes(List<String> digests) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT count(*), coalesce(sum(size), 0) FROM blob WHERE digest = ANY (?)")) {
            select.setArray(1, c.createArrayOf("text", digests.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /**
     * Removes blobs of one batch: for each, its file lock (skipped if an upload holds it), then its
     * row locked (skipped if a mount or upload holds it) and read again with its conditions, then
     * the file removed, then the row, all before the commit. An upload of the same bytes waits on
     * the file lock and afterwards finds no file and moves its own into place. A crash after a file
     * went and before the commit leaves a row without a file that no repository links: nothing
     * serves it, an upload of those bytes puts the file back, and the next run removes the row.
     *
     * @return {count, bytes} removed
     */
    private long[] removeBlobs(List<String> batch) throws SQLException {
        long count = 0;
        long bytes = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement row = c.prepareStatement(
                        "SELECT b.size FROM blob b WHERE b.digest = ?"
                                + " AND b.touched_at < now() - make_interval(secs => ?)"
                                + " AND NOT EXISTS (SELECT 1 FROM repository_blob l WHERE l.digest = b.digest) FOR UPDATE SKIP LOCKED");
                PreparedStatement delete = c.prepareStatement("DELETE FROM blob WHERE digest = ?")) {
            for (String digest : batch) {
                if (!GarbageCollection.tryLockBlobFile(c, digest)) {
                    continue;
                }
                row.setString(1, digest);
                row.setDouble(2, seconds(settings.grace()));
                long size;
                try (ResultSet rs = row.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    size = rs.getLong(1);
                }
                store.deleteBlob(Digest.parse(digest));
                delete.setString(1, digest);
                delete.executeUpdate();
                count++;
                bytes += size;
            }
        }
        return new long[] {count, bytes};
    }

    /** A file in the store with no blob row, older than the grace period: an upload that died before its commit. */
    private int removeStrayFile(String digest) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!GarbageCollection.tryLockBlobFile(c, digest) || hasRow(c, digest)) {
                return 0;
            }
            store.deleteBlob(Digest.parse(digest));
            return 1;
        }
    }

    /** Those of the digests that have no blob row now. */
    private List<String> withoutRows(List<String> digests) throws SQLException {
        List<String> without = new ArrayList<>(digests);
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT digest FROM blob WHERE digest = ANY (?)")) {
            select.setArray(1, c.createArrayOf("text", digests.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    without.remove(rs.getString(1));
                }
            }
        }
        return without;
    }

    private static boolean hasRow(Connection c, String digest) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM blob WHERE digest = ?")) {
            select.setString(1, digest);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static <T> List<List<T>> batches(List<T> all) {
        List<List<T>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += BATCH) {
            batches.add(all.subList(i, Math.min(all.size(), i + BATCH)));
        }
        return batches;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static void pause(Duration pause) {
        if (pause.isZero() || pause.isNegative()) {
            return;
        }
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
