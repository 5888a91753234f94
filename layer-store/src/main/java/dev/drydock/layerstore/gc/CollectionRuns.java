package dev.drydock.layerstore.gc;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The garbage collections' record ({@code gc_run}): each run's phase and what it has removed so
 * far, written after every batch in statements of their own (so a reader sees a long run move,
 * and a crash loses nothing but the last batch's counts), and when the last real run finished.
 */
@ApplicationScoped
public class CollectionRuns {

    /** How soon a scheduled collection that failed or was interrupted is tried again (at most). */
    private static final Duration RETRY_PAUSE = Duration.ofMinutes(15);
    /** Runs kept for reading beyond those of the last 30 days; older ones are deleted when a run starts. */
    private static final int KEPT = 100;

    /** The collection's phases, in their order. */
    public enum Phase {
        UPLOADS("abandoned uploads"),
        LINKS("blob links no manifest references"),
        BLOBS("blobs no repository links"),
        STRAY_FILES("files without a blob row"),
        FINISHED("finished");

        private final String description;

        Phase(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** What a run has removed so far (or with {@code dryRun} would remove). */
    public static final class Tally {
        int links;
        int blobs;
        long bytes;
        int uploads;
        int strayFiles;
    }

    /**
     * One run as recorded. {@code outcome} is null while it runs; {@code interrupted} when the
     * process running it died (the lease is free and it never finished).
     */
    public record Run(
            long id,
            Instant startedAt,
            Instant finishedAt,
            boolean dryRun,
            String actor,
            String phase,
            int phaseNumber,
            int links,
            int blobs,
            long bytesFreed,
            int uploads,
            int strayFiles,
            String outcome) {
        public boolean running() {
            return outcome == null;
        }
    }

    private final AgroalDataSource dataSource;

    CollectionRuns(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records a new run; called under the lease, so any run still open was interrupted. */
    long start(boolean dryRun, String actor) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement close = c.prepareStatement(
                            "UPDATE gc_run SET finished_at = now(), outcome = 'interrupted' WHERE finished_at IS NULL");
                    PreparedStatement trim = c.prepareStatement(
                            "DELETE FROM gc_run WHERE started_at < now() - interval '30 days' AND id <= (SELECT max(id) FROM gc_run) - ?")) {
                close.executeUpdate();
                trim.setInt(1, KEPT);
                trim.executeUpdate();
            }
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO gc_run (dry_run, actor, phase) VALUES (?, ?, ?) RETURNING id")) {
                insert.setBoolean(1, dryRun);
                insert.setString(2, actor);
                insert.setString(3, Phase.UPLOADS.name());
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }

    void progress(long run, Phase phase, Tally tally) throws SQLException {
        write(run, phase, tally, null);
    }

    void finish(long run, Tally tally, String outcome) throws SQLException {
        write(run, Phase.FINISHED, tally, outcome);
    }

    private void write(long run, Phase phase, Tally tally, String outcome) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement update = c.prepareStatement("UPDATE gc_run SET phase = ?, links = ?, blobs = ?,"
                        + " bytes_freed = ?, uploads = ?, stray_files = ?, outcome = ?,"
                        + " finished_at = CASE WHEN ? THEN now() END WHERE id = ?")) {
            update.setString(1, phase.name());
            update.setInt(2, tally.links);
            update.setInt(3, tally.blobs);
            update.setLong(4, tally.bytes);
            update.setInt(5, tally.uploads);
            update.setInt(6, tally.strayFiles);
            update.setString(7, outcome);
            update.setBoolean(8, outcome != null);
            update.setLong(9, run);
            update.executeUpdate();
        }
    }

    /**
     * The collection running now, if one is; otherwise the newest real one (or with {@code dryRun},
     * the newest dry run: the storage report's dry runs do not hide the last real collection). A
     * run whose process died reads as interrupted once the lease is free.
     */
    public Optional<Run> latest(boolean dryRun) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean held = GarbageCollector.leaseHeld(c);
            if (held) {
                Optional<Run> running = read(c, "WHERE finished_at IS NULL", null, true);
                if (running.isPresent()) {
                    return running;
                }
            }
            return read(c, "WHERE dry_run = ?", dryRun, held);
        }
    }

    private static Optional<Run> read(Connection c, String where, Boolean dryRun, boolean leaseHeld)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT id, started_at, finished_at, dry_run, actor, phase,"
                + " links, blobs, bytes_freed, uploads, stray_files, outcome FROM gc_run " + where
                + " ORDER BY id DESC LIMIT 1")) {
            if (dryRun != null) {
                select.setBoolean(1, dryRun);
            }
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp finished = rs.getTimestamp(3);
                Phase phase = Phase.valueOf(rs.getString(6));
                String outcome = rs.getString(12);
                if (finished == null && !leaseHeld) {
                    outcome = "interrupted";
                }
                return Optional.of(new Run(
                        rs.getLong(1),
                        rs.getTimestamp(2).toInstant(),
                        finished == null ? null : finished.toInstant(),
                        rs.getBoolean(4),
                        rs.getString(5),
                        phase.description(),
                        phase.ordinal() + 1,
                        rs.getInt(7),
                        rs.getInt(8),
                        rs.getLong(9),
                        rs.getInt(10),
                        rs.getInt(11),
                        outcome));
            }
        }
    }

    /**
     * Whether a collection is due: no real run has completed within the interval (or none ever
     * has), and none has started within the retry pause ({@link #RETRY_PAUSE}, or the interval if
     * shorter), so that one that keeps failing is not run again at every check.
     */
    boolean due(Duration interval) throws SQLException {
        Duration retry = interval.compareTo(RETRY_PAUSE) < 0 ? interval : RETRY_PAUSE;
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT NOT EXISTS (SELECT 1 FROM gc_run WHERE NOT dry_run"
                                + " AND outcome = 'completed' AND finished_at > now() - make_interval(secs => ?))"
                                + " AND NOT EXISTS (SELECT 1 FROM gc_run WHERE NOT dry_run AND started_at > now() - make_interval(secs => ?))")) {
            select.setDouble(1, interval.toMillis() / 1000.0);
            select.setDouble(2, retry.toMillis() / 1000.0);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
