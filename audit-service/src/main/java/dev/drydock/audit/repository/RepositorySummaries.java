package dev.drydock.audit.repository;

import dev.drydock.audit.access.Viewer;
import dev.drydock.events.Event;
import dev.drydock.events.EventCodec;
import dev.drydock.events.RegistryEvents;
import dev.drydock.events.Topic;
import dev.drydock.oci.http.PageViews;
import dev.drydock.readapi.RepositorySummary;
import dev.drydock.readapi.Sharing;
import dev.drydock.readapi.TagChange;
import dev.drydock.readapi.TagView;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The portal's view of repositories and their current tags, projected from registry events. */
@ApplicationScoped
public class RepositorySummaries {

    private final AgroalDataSource dataSource;

    RepositorySummaries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Applies events, in order, on the caller's transaction, in one call to the database
     * ({@code apply_registry_events}, in R__projection_functions.sql, holds what each event changes); events of
     * other kinds change nothing here.
     */
    public void applyAll(Connection c, List<Event> events) throws SQLException {
        List<Event> applied = events.stream()
                .filter(event -> event.type().topic() == Topic.REGISTRY
                        && !(event.data() instanceof RegistryEvents.ImagePulled && browsedInThePortal(event)))
                .toList();
        if (applied.isEmpty()) {
            return;
        }
        int n = applied.size();
        Object[] types = new Object[n];
        Object[] payloads = new Object[n];
        Object[] times = new Object[n];
        Object[] actors = new Object[n];
        Object[] ids = new Object[n];
        for (int i = 0; i < n; i++) {
            Event event = applied.get(i);
            types[i] = event.type().typeName();
            payloads[i] = EventCodec.payloadJson(event);
            times[i] = Timestamp.from(event.time());
            actors[i] = event.actor().user();
            ids[i] = event.id();
        }
        try (PreparedStatement apply = c.prepareStatement(
                "SELECT apply_registry_events(?::text[], ?::jsonb[], ?::timestamptz[], ?::text[], ?::uuid[])")) {
            apply.setArray(1, c.createArrayOf("text", types));
            apply.setArray(2, c.createArrayOf("text", payloads));
            apply.setArray(3, c.createArrayOf("timestamptz", times));
            apply.setArray(4, c.createArrayOf("text", actors));
            apply.setArray(5, c.createArrayOf("uuid", ids));
            apply.execute();
        }
    }

    private static final String COLUMNS = "name, namespace, visibility, description, created_at, last_pushed_at,"
            + " last_pushed_by, stars, pulls, recent_pulls,"
            + " EXISTS (SELECT 1 FROM starred s WHERE s.repository = name AND s.username = ?)";

    private static void readInto(PreparedStatement select, Map<String, RepositorySummary> summaries, boolean withReadme)
            throws SQLException {
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                Timestamp pushed = rs.getTimestamp(6);
                summaries.put(
                        rs.getString(1),
                        new RepositorySummary(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getTimestamp(5).toInstant(),
                                pushed == null ? null : pushed.toInstant(),
                                rs.getString(7),
                                rs.getLong(8),
                                rs.getLong(9),
                                rs.getLong(10),
                                rs.getBoolean(11),
                                withReadme ? rs.getString(12) : null,
                                new ArrayList<>()));
            }
        }
    }

    /** Whether the viewer may see the repository (a private one they may not see is as good as missing). */
    private static boolean visible(Connection c, Viewer viewer, String repository) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT 1 FROM repository_summary WHERE name = ? AND " + Viewer.MAY_SEE)) {
            select.setString(1, repository);
            viewer.bind(c, select, 2);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * For each blob the manifest references, the other images that reference it too, counting only
     * repositories the viewer may see; empty when the viewer may not see this repository.
     */
    public Optional<Map<String, Sharing>> sharing(Viewer viewer, String repository, String manifest)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!visible(c, viewer, repository)) {
                return Optional.empty();
            }
            Map<String, Sharing> sharing = new LinkedHashMap<>();
            try (PreparedStatement select = c.prepareStatement("SELECT mine.blob,"
                    + " count(other.manifest) FILTER (WHERE other.repository IS NOT NULL),"
                    + " count(DISTINCT other.repository) FILTER (WHERE other.repository <> mine.repository)"
                    + " FROM manifest_blob mine LEFT JOIN (manifest_blob other JOIN repository_summary s"
                    + " ON s.name = other.repository AND " + Viewer.maySee("s") + ")"
                    + " ON other.blob = mine.blob AND NOT (other.repository = mine.repository AND other.manifest = mine.manifest)"
                    + " WHERE mine.repository = ? AND mine.manifest = ? GROUP BY mine.blob")) {
                int i = viewer.bind(c, select, 1);
                select.setString(i++, repository);
                select.setString(i, manifest);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        sharing.put(rs.getString(1), new Sharing(rs.getLong(2), rs.getLong(3)));
                    }
                }
            }
            return Optional.of(sharing);
        }
    }

    public record PullStats(String repository, long total, Map<String, Long> byReference, Map<String, Long> byDay) {}

    /** Pull counts of a repository the viewer may see; empty for any other. */
    public Optional<PullStats> pulls(Viewer viewer, String repository) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long total;
            try (PreparedStatement select =
                    c.prepareStatement("SELECT pulls FROM repository_summary WHERE name = ? AND " + Viewer.MAY_SEE)) {
                select.setString(1, repository);
                viewer.bind(c, select, 2);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    total = rs.getLong(1);
                }
            }
            Map<String, Long> byReference = new LinkedHashMap<>();
            Map<String, Long> byDay = new LinkedHashMap<>();
            try (PreparedStatement select = c.prepareStatement("SELECT reference, day, sum(pulls) FROM pull_count"
                    + " WHERE repository = ? GROUP BY GROUPING SETS ((reference), (day)) ORDER BY 2, 1")) {
                select.setString(1, repository);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getString(1) != null) {
                            byReference.put(rs.getString(1), rs.getLong(3));
                        } else {
                            byDay.put(rs.getDate(2).toString(), rs.getLong(3));
                        }
                    }
                }
            }
            return Optional.of(new PullStats(repository, total, byReference, byDay));
        }
    }

    /** One repository the viewer may see, with its README and all its tags; empty for any other. */
    public Optional<RepositorySummary> find(Viewer viewer, String repository) throws SQLException {
        Map<String, RepositorySummary> summaries = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + ", readme FROM repository_summary"
                    + " WHERE name = ? AND " + Viewer.MAY_SEE)) {
                select.setString(1, viewer.username());
                select.setString(2, repository);
                viewer.bind(c, select, 3);
                readInto(select, summaries, true);
            }
            addTags(c, summaries);
        }
        return summaries.values().stream().findFirst();
    }

    /** The named repositories (which the caller has found visible to the viewer), in the order named. */
    List<RepositorySummary> named(Connection c, Viewer viewer, List<String> names) throws SQLException {
        Map<String, RepositorySummary> found = new HashMap<>();
        try (PreparedStatement select =
                c.prepareStatement("SELECT " + COLUMNS + " FROM repository_summary" + " WHERE name = ANY (?)")) {
            select.setString(1, viewer.username());
            select.setArray(2, c.createArrayOf("text", names.toArray()));
            readInto(select, found, false);
        }
        Map<String, RepositorySummary> summaries = new LinkedHashMap<>();
        names.stream().filter(found::containsKey).forEach(name -> summaries.put(name, found.get(name)));
        addTags(c, summaries);
        return List.copyOf(summaries.values());
    }

    private static void addTags(Connection c, Map<String, RepositorySummary> summaries) throws SQLException {
        if (summaries.isEmpty()) {
            return;
        }
        try (PreparedStatement tags = c.prepareStatement("SELECT t.repository, t.tag, t.digest, m.media_type,"
                + " m.total_size, t.updated_at, t.updated_by, m.platforms FROM current_tag t LEFT JOIN manifest_size m"
                + " ON m.repository = t.repository AND m.digest = t.digest"
                + " WHERE t.repository = ANY (?) ORDER BY t.updated_at DESC, t.tag")) {
            tags.setArray(1, c.createArrayOf("text", summaries.keySet().toArray()));
            try (ResultSet rs = tags.executeQuery()) {
                while (rs.next()) {
                    long size = rs.getLong(5);
                    Long known = rs.wasNull() ? null : size;
                    Array platforms = rs.getArray(8);
                    summaries
                            .get(rs.getString(1))
                            .tags()
                            .add(new TagView(
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    known,
                                    platforms == null ? List.of() : List.of((String[]) platforms.getArray()),
                                    rs.getTimestamp(6).toInstant(),
                                    rs.getString(7)));
                }
            }
        }
    }

    /** Repositories the viewer may see (of one namespace, when given), most recently pushed first. */
    public List<RepositorySummary> list(Viewer viewer, String namespace, int limit) throws SQLException {
        Map<String, RepositorySummary> summaries = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM repository_summary"
                    + " WHERE " + Viewer.MAY_SEE + " AND (CAST(? AS TEXT) IS NULL OR namespace = ?)"
                    + " ORDER BY last_pushed_at DESC NULLS LAST, name LIMIT ?")) {
                select.setString(1, viewer.username());
                int i = viewer.bind(c, select, 2);
                select.setString(i++, namespace);
                select.setString(i++, namespace);
                select.setInt(i, limit);
                readInto(select, summaries, false);
            }
            addTags(c, summaries);
        }
        return List.copyOf(summaries.values());
    }

    /** A tag's changes, newest first, in a repository the viewer may see; empty for any other. */
    public Optional<List<TagChange>> tagHistory(Viewer viewer, String repository, String tag) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!visible(c, viewer, repository)) {
                return Optional.empty();
            }
            List<TagChange> changes = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT change, digest, previous_digest, changed_at, changed_by"
                            + " FROM tag_history WHERE repository = ? AND tag = ? ORDER BY changed_at DESC, event_id")) {
                select.setString(1, repository);
                select.setString(2, tag);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        changes.add(new TagChange(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getTimestamp(4).toInstant(),
                                rs.getString(5)));
                    }
                }
            }
            return Optional.of(changes);
        }
    }

    /** The portal reading manifests to show an image's page: in the audit log, not in pull counts. */
    private static boolean browsedInThePortal(Event event) {
        return PageViews.isPageView(event.actor().userAgent());
    }
}
