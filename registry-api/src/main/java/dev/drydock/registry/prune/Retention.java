package dev.drydock.registry.prune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.RepositoryName;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.manifest.ManifestCache;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The retention rules of repositories and namespaces (stored, each change an event), and their
 * application to one repository: the tags they remove go, each with a {@code tag.deleted}.
 */
@ApplicationScoped
public class Retention {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whose rules: a repository's, or a namespace's (for its repositories without rules of their own). */
    public enum Kind {
        REPOSITORY,
        NAMESPACE
    }

    public record Stored(Kind kind, String name, RetentionPolicy policy, String updatedBy, Instant updatedAt) {}

    /** A tag a rule removed, and the manifest it pointed at. */
    public record RemovedTag(String repository, String tag, String digest) {}

    private final AgroalDataSource dataSource;
    private final ManifestCache cache;

    Retention(AgroalDataSource dataSource, ManifestCache cache) {
        this.dataSource = dataSource;
        this.cache = cache;
    }

    public Optional<Stored> find(Kind kind, String name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return find(c, kind, name);
        }
    }

    @Transactional
    public Stored put(Kind kind, String name, RetentionPolicy policy, Actor actor) throws SQLException {
        String json = write(policy);
        try (Connection c = dataSource.getConnection();
                PreparedStatement upsert = c.prepareStatement("""
                     INSERT INTO retention_policy (kind, name, policy, updated_by) VALUES (?, ?, ?::jsonb, ?)
                     ON CONFLICT (kind, name) DO UPDATE SET policy = excluded.policy, updated_by = excluded.updated_by,
                                                            updated_at = now()""")) {
            upsert.setString(1, kind.name().toLowerCase());
            upsert.setString(2, name);
            upsert.setString(3, json);
            upsert.setString(4, actor.user());
            upsert.executeUpdate();
            Outbox.append(
                    c,
                    Event.of(Repositories.SOURCE, actor, new RegistryEvents.RetentionChanged(scope(kind, name), json)));
            return find(c, kind, name).orElseThrow();
        }
    }

    @Transactional
    public boolean remove(Kind kind, String name, Actor actor) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement delete =
                        c.prepareStatement("DELETE FROM retention_policy WHERE kind = ? AND name = ?")) {
            delete.setString(1, kind.name().toLowerCase());
            delete.setString(2, name);
            if (delete.executeUpdate() == 0) {
                return false;
            }
            Outbox.append(
                    c,
                    Event.of(Repositories.SOURCE, actor, new RegistryEvents.RetentionChanged(scope(kind, name), null)));
            return true;
        }
    }

    /** The rules that hold for a repository: its own, else its namespace's. */
    Optional<RetentionPolicy> policyFor(Connection c, RepositoryName repository) throws SQLException {
        Optional<Stored> own = find(c, Kind.REPOSITORY, repository.value());
        if (own.isPresent()) {
            return Optional.of(own.get().policy());
        }
        return find(c, Kind.NAMESPACE, repository.namespace()).map(Stored::policy);
    }

    /** Every repository some rules hold for. */
    List<RepositoryName> governed() throws SQLException {
        List<RepositoryName> names = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("""
                     SELECT r.name FROM repository r
                     WHERE EXISTS (SELECT 1 FROM retention_policy p WHERE p.kind = 'repository' AND p.name = r.name)
                        OR EXISTS (SELECT 1 FROM retention_policy p WHERE p.kind = 'namespace' AND p.name = split_part(r.name, '/', 1))
                     ORDER BY r.name COLLATE "C"
                     """);
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                names.add(RepositoryName.parse(rs.getString(1)));
            }
        }
        return names;
    }

    /**
     * Removes the tags the rules remove from one repository, inside the caller's transaction. The
     * tags are locked first, so that a push moving one of them waits and then points it anew.
     */
    List<RemovedTag> apply(Connection c, RepositoryName name, long repository, RetentionPolicy policy, Actor actor)
            throws SQLException {
        List<RetentionPolicy.TagState> tags = new ArrayList<>();
        Instant now;
        try (PreparedStatement select = c.prepareStatement("""
                SELECT t.name, t.updated_at, m.pulled_at, now() FROM tag t
                JOIN manifest m ON m.repository_id = t.repository_id AND m.digest = t.digest
                WHERE t.repository_id = ? ORDER BY t.name COLLATE "C" FOR UPDATE OF t""")) {
            select.setLong(1, repository);
            try (ResultSet rs = select.executeQuery()) {
                now = null;
                while (rs.next()) {
                    Timestamp pulled = rs.getTimestamp(3);
                    tags.add(new RetentionPolicy.TagState(
                            rs.getString(1),
                            rs.getTimestamp(2).toInstant(),
                            pulled == null ? null : pulled.toInstant()));
                    now = rs.getTimestamp(4).toInstant();
                }
            }
        }
        if (tags.isEmpty()) {
            return List.of();
        }
        Set<String> doomed = policy.removals(tags, now);
        if (doomed.isEmpty()) {
            return List.of();
        }
        cache.changing(repository);
        List<RemovedTag> removed = new ArrayList<>();
        try (PreparedStatement delete = c.prepareStatement(
                "DELETE FROM tag WHERE repository_id = ? AND name = ANY (?) RETURNING name, digest")) {
            delete.setLong(1, repository);
            delete.setArray(2, c.createArrayOf("text", doomed.toArray()));
            try (ResultSet rs = delete.executeQuery()) {
                while (rs.next()) {
                    removed.add(new RemovedTag(name.value(), rs.getString(1), rs.getString(2)));
                }
            }
        }
        for (RemovedTag tag : removed) {
            Outbox.append(
                    c,
                    Event.of(
                            Repositories.SOURCE,
                            actor,
                            new RegistryEvents.TagDeleted(name.value(), tag.tag(), tag.digest())));
        }
        return removed;
    }

    static String scope(Kind kind, String name) {
        return kind == Kind.NAMESPACE ? name + "/*" : name;
    }

    private static Optional<Stored> find(Connection c, Kind kind, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT policy::text, updated_by, updated_at FROM retention_policy WHERE kind = ? AND name = ?")) {
            select.setString(1, kind.name().toLowerCase());
            select.setString(2, name);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Stored(
                        kind,
                        name,
                        JSON.readValue(rs.getString(1), RetentionPolicy.class),
                        rs.getString(2),
                        rs.getTimestamp(3).toInstant()));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored retention policy of " + name + " does not read", e);
        }
    }

    private static String write(RetentionPolicy policy) {
        try {
            return JSON.writeValueAsString(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
