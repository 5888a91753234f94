package dev.drydock.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * The lock that orders a manifest push against the garbage collector's removal of a repository's
 * link to a blob (docs/garbage-collection.md). Both sides take a PostgreSQL advisory lock on the
 * pair (repository, blob digest) for the rest of their transaction: a push in shared mode, from
 * before it asks layer-store whether the repository links the blob until its manifest commits; the
 * collector in exclusive mode, without waiting, before it re-reads the references and deletes the
 * link. So either the push's manifest is committed before the collector reads the references, or
 * the link is gone before the push asks for it and the push is refused.
 *
 * <p>The key is computed by PostgreSQL from the same expression on both sides; two pairs that
 * share a key only wait for each other, which is harmless.
 */
public final class BlobReferenceLock {

    /** Separates this family of advisory locks from any other the database sees. */
    private static final int SEED = 7101;

    private static final String KEY = "hashtextextended(? || '@' || ?, " + SEED + ")";

    private BlobReferenceLock() {}

    /** Shared locks on each pair, in one order (sorted digests) so that pushes never deadlock each other. */
    public static void share(Connection c, String repository, Collection<String> digests) throws SQLException {
        List<String> sorted = digests.stream().distinct().sorted().toList();
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(" + KEY + ")")) {
            for (String digest : sorted) {
                lock.setString(1, repository);
                lock.setString(2, digest);
                lock.executeQuery().close();
            }
        }
    }

    /** The exclusive lock, waiting for the pushes that hold the pair (a client's own DELETE of a blob). */
    public static void exclusive(Connection c, String repository, String digest) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(" + KEY + ")")) {
            lock.setString(1, repository);
            lock.setString(2, digest);
            lock.executeQuery().close();
        }
    }

    /** The exclusive lock if nobody holds the pair now; false at once otherwise (a push is under way). */
    public static boolean tryExclusive(Connection c, String repository, String digest) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(" + KEY + ")")) {
            lock.setString(1, repository);
            lock.setString(2, digest);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
