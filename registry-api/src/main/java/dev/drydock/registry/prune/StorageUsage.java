package dev.drydock.registry.prune;

import dev.drydock.oci.RepositoryName;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * How much storage a repository, a namespace or the platform takes ({@code docker system df} for a
 * registry), from what the manifests reference: each blob by the size its descriptors declare.
 * Manifests themselves (kilobytes in the database) and blobs no manifest references (what garbage
 * collection removes) are not in these figures.
 */
@ApplicationScoped
public class StorageUsage {

    /** The blob references of the measured repositories, each marked whether only a dangling manifest holds it. */
    private static final String REFERENCES = """
            WITH dangling (repository_id, manifest_digest) AS (SELECT * FROM unnest(?::bigint[], ?::text[])),
            refs AS (
                SELECT mr.repository_id, mr.referenced, coalesce(mr.size, 0) AS size, d.repository_id IS NOT NULL AS dangling
                FROM manifest_reference mr
                LEFT JOIN dangling d ON d.repository_id = mr.repository_id AND d.manifest_digest = mr.manifest_digest
                WHERE mr.kind = 'blob' AND mr.repository_id = ANY (?::bigint[])
            )""";

    /**
     * Per repository: logical bytes (each image whole), stored bytes (each blob once), bytes no
     * other counted repository references, and of those the bytes only dangling manifests hold.
     */
    private static final String PER_REPOSITORY = REFERENCES + """
            , blobs AS (
                SELECT repository_id, max(size) AS size, bool_and(dangling) AS only_dangling,
                       NOT EXISTS (SELECT 1 FROM manifest_reference o
                                   WHERE o.kind = 'blob' AND o.referenced = refs.referenced
                                     AND o.repository_id <> refs.repository_id
                                     AND (?::bigint[] IS NULL OR o.repository_id = ANY (?::bigint[]))) AS unique_here
                FROM refs GROUP BY repository_id, referenced
            )
            SELECT b.repository_id, (SELECT coalesce(sum(size), 0) FROM refs r WHERE r.repository_id = b.repository_id),
                   count(*), sum(size), coalesce(sum(size) FILTER (WHERE unique_here), 0),
                   coalesce(sum(size) FILTER (WHERE unique_here AND only_dangling), 0)
            FROM blobs b GROUP BY b.repository_id""";

    /** The same figures for the measured repositories together: "unique" means referenced by none outside them. */
    private static final String TOTAL = REFERENCES + """
            , blobs AS (
                SELECT max(size) AS size, bool_and(dangling) AS only_dangling,
                       NOT EXISTS (SELECT 1 FROM manifest_reference o
                                   WHERE o.kind = 'blob' AND o.referenced = refs.referenced
                                     AND NOT (o.repository_id = ANY (?::bigint[]))
                                     AND (?::bigint[] IS NULL OR o.repository_id = ANY (?::bigint[]))) AS unique_here
                FROM refs GROUP BY referenced
            )
            SELECT (SELECT coalesce(sum(size), 0) FROM refs), count(*), coalesce(sum(size), 0),
                   coalesce(sum(size) FILTER (WHERE unique_here), 0),
                   coalesce(sum(size) FILTER (WHERE unique_here AND only_dangling), 0)
            FROM blobs""";

    private static final String COUNTS = """
            SELECT r.id, r.name,
                   (SELECT count(*) FROM tag t WHERE t.repository_id = r.id),
                   (SELECT count(DISTINCT digest) FROM tag t WHERE t.repository_id = r.id),
                   (SELECT count(*) FROM manifest m WHERE m.repository_id = r.id)
            FROM repository r WHERE r.name = ANY (?) ORDER BY r.name COLLATE "C"
            """;

    private final AgroalDataSource dataSource;
    private final Pruner pruner;

    StorageUsage(AgroalDataSource dataSource, Pruner pruner) {
        this.dataSource = dataSource;
        this.pruner = pruner;
    }

    /**
     * @param tags              tags in the repositories
     * @param images            distinct manifests a tag points at
     * @param manifests         every stored manifest, tagged or not
     * @param danglingManifests manifests a prune would remove now
     * @param logicalBytes      what clients pull: each image's blobs, counted for every image that references them
     * @param storedBytes       each blob once
     * @param uniqueBytes       blobs no repository outside those measured references (of those the caller may see)
     * @param sharedBytes       the rest of the stored bytes
     * @param reclaimableBytes  unique blobs that only dangling manifests reference: what prune, then garbage collection, frees
     */
    public record Figures(
            long tags,
            long images,
            long manifests,
            long danglingManifests,
            long blobs,
            long logicalBytes,
            long storedBytes,
            long uniqueBytes,
            long sharedBytes,
            long reclaimableBytes) {}

    public record RepositoryUsage(String repository, Figures usage) {}

    /** {@code repositories} only when asked for (verbose). */
    public record Report(String scope, Figures total, List<RepositoryUsage> repositories) {}

    /**
     * @param others the ids of repositories that count as "others" for unique and shared bytes, or
     *               null for every repository (platform admins); a caller who may not read a
     *               repository learns nothing of what it stores
     */
    public Report measure(String scope, List<RepositoryName> names, long[] others, boolean verbose)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            // every figure from one snapshot, whatever pushes and prunes commit meanwhile
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return measure(c, scope, names, others, verbose);
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setAutoCommit(true);
            }
        }
    }

    private Report measure(Connection c, String scope, List<RepositoryName> names, long[] others, boolean verbose)
            throws SQLException {
        Map<Long, String> repositoryNames = new LinkedHashMap<>();
        Map<Long, long[]> counts = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement(COUNTS)) {
            select.setArray(
                    1,
                    c.createArrayOf(
                            "text", names.stream().map(RepositoryName::value).toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    repositoryNames.put(rs.getLong(1), rs.getString(2));
                    counts.put(rs.getLong(1), new long[] {rs.getLong(3), rs.getLong(4), rs.getLong(5), 0});
                }
            }
        }
        List<Long> danglingRepositories = new ArrayList<>();
        List<String> danglingDigests = new ArrayList<>();
        for (var repository : repositoryNames.entrySet()) {
            for (Pruner.Removed manifest :
                    pruner.dangling(c, RepositoryName.parse(repository.getValue()), repository.getKey(), null)) {
                danglingRepositories.add(repository.getKey());
                danglingDigests.add(manifest.digest());
                counts.get(repository.getKey())[3]++;
            }
        }
        Array ids = c.createArrayOf("bigint", repositoryNames.keySet().toArray());
        Array othersArray = others == null
                ? null
                : c.createArrayOf("bigint", LongStream.of(others).boxed().toArray());
        Array dr = c.createArrayOf("bigint", danglingRepositories.toArray());
        Array dm = c.createArrayOf("text", danglingDigests.toArray());

        long[] sum = new long[4];
        counts.values().forEach(n -> {
            for (int i = 0; i < 4; i++) {
                sum[i] += n[i];
            }
        });
        Figures total;
        try (PreparedStatement select = c.prepareStatement(TOTAL)) {
            select.setArray(1, dr);
            select.setArray(2, dm);
            select.setArray(3, ids);
            select.setArray(4, ids);
            select.setArray(5, othersArray);
            select.setArray(6, othersArray);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                total = figures(sum, rs.getLong(2), rs.getLong(1), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        }
        if (!verbose) {
            return new Report(scope, total, null);
        }
        Map<Long, long[]> bytes = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement(PER_REPOSITORY)) {
            select.setArray(1, dr);
            select.setArray(2, dm);
            select.setArray(3, ids);
            select.setArray(4, othersArray);
            select.setArray(5, othersArray);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    bytes.put(
                            rs.getLong(1),
                            new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)});
                }
            }
        }
        List<RepositoryUsage> repositories = new ArrayList<>();
        for (var repository : repositoryNames.entrySet()) {
            long[] b = bytes.getOrDefault(repository.getKey(), new long[5]);
            repositories.add(new RepositoryUsage(
                    repository.getValue(), figures(counts.get(repository.getKey()), b[1], b[0], b[2], b[3], b[4])));
        }
        return new Report(scope, total, repositories);
    }

    private static Figures figures(
            long[] counts, long blobs, long logical, long stored, long unique, long reclaimable) {
        return new Figures(
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                blobs,
                logical,
                stored,
                unique,
                stored - unique,
                reclaimable);
    }
}
