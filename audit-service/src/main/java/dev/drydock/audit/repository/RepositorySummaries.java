package dev.drydock.audit.repository;

import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The portal's view of repositories and their current tags, projected from registry events. */
@ApplicationScoped
public class RepositorySummaries {

    private final AgroalDataSource dataSource;

    RepositorySummaries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record TagView(String name, String digest, Instant updatedAt, String updatedBy) {
    }

    public record Summary(String name, String namespace, String visibility, Instant createdAt, Instant lastPushedAt,
                          String lastPushedBy, List<TagView> tags) {
    }

    /** Applies one event on the caller's transaction; events of other kinds change nothing here. */
    public void apply(Connection c, Event event) throws SQLException {
        Timestamp at = Timestamp.from(event.time());
        String by = event.actor().user();
        if (event.data() instanceof RegistryEvents.RepositoryCreated created) {
            ensure(c, created.repository(), created.visibility(), at);
        } else if (event.data() instanceof RegistryEvents.ManifestPushed pushed) {
            ensure(c, pushed.repository(), "public", at);
            execute(c, "UPDATE repository_summary SET last_pushed_at = ?, last_pushed_by = ? WHERE name = ?",
                    at, by, pushed.repository());
        } else if (event.data() instanceof RegistryEvents.TagCreated tag) {
            putTag(c, tag.repository(), tag.tag(), tag.digest(), at, by);
        } else if (event.data() instanceof RegistryEvents.TagMoved tag) {
            putTag(c, tag.repository(), tag.tag(), tag.digest(), at, by);
        } else if (event.data() instanceof RegistryEvents.TagDeleted tag) {
            execute(c, "DELETE FROM current_tag WHERE repository = ? AND tag = ?", tag.repository(), tag.tag());
        }
    }

    public List<Summary> list(int limit) throws SQLException {
        Map<String, Summary> summaries = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement select = c.prepareStatement("SELECT name, namespace, visibility, created_at,"
                    + " last_pushed_at, last_pushed_by FROM repository_summary WHERE visibility = 'public'"
                    + " ORDER BY last_pushed_at DESC NULLS LAST, name LIMIT ?")) {
                select.setInt(1, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        Timestamp pushed = rs.getTimestamp(5);
                        summaries.put(rs.getString(1), new Summary(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getTimestamp(4).toInstant(), pushed == null ? null : pushed.toInstant(),
                                rs.getString(6), new ArrayList<>()));
                    }
                }
            }
            if (summaries.isEmpty()) {
                return List.of();
            }
            try (PreparedStatement tags = c.prepareStatement("SELECT repository, tag, digest, updated_at, updated_by"
                    + " FROM current_tag WHERE repository = ANY (?) ORDER BY updated_at DESC, tag")) {
                tags.setArray(1, c.createArrayOf("text", summaries.keySet().toArray()));
                try (ResultSet rs = tags.executeQuery()) {
                    while (rs.next()) {
                        summaries.get(rs.getString(1)).tags().add(new TagView(rs.getString(2), rs.getString(3),
                                rs.getTimestamp(4).toInstant(), rs.getString(5)));
                    }
                }
            }
        }
        return List.copyOf(summaries.values());
    }

    private static void ensure(Connection c, String name, String visibility, Timestamp at) throws SQLException {
        execute(c, "INSERT INTO repository_summary (name, namespace, visibility, created_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (name) DO NOTHING", name, name.substring(0, name.indexOf('/')), visibility, at);
    }

    private static void putTag(Connection c, String repository, String tag, String digest, Timestamp at, String by)
            throws SQLException {
        execute(c, "INSERT INTO current_tag (repository, tag, digest, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (repository, tag) DO UPDATE SET digest = EXCLUDED.digest,"
                + " updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by", repository, tag, digest, at, by);
    }

    private static void execute(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            statement.executeUpdate();
        }
    }
}
