package dev.drydock.registry.prune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.RepositoryName;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.manifest.ManifestCache;
import dev.drydock.registry.prune.RetentionPolicyEntity.Key;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The retention rules of repositories and namespaces (stored, each change an event), and their
 * application to one repository: the tags they remove go, each with a {@code tag.deleted}.
 */
@ApplicationScoped
@ActivateRequestContext
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
    private final DomainEvents events;

    Retention(AgroalDataSource dataSource, ManifestCache cache, DomainEvents events) {
        this.dataSource = dataSource;
        this.cache = cache;
        this.events = events;
    }

    public Optional<Stored> find(Kind kind, String name) {
        return RetentionPolicyEntity.<RetentionPolicyEntity>findByIdOptional(key(kind, name))
                .map(stored -> stored(kind, stored));
    }

    @Transactional
    public Stored put(Kind kind, String name, RetentionPolicy policy, Actor actor) {
        String json = write(policy);
        Key key = key(kind, name);
        // one statement, so that two first rules for a name at once do not collide
        RetentionPolicyEntity.getSession()
                .createMutationQuery(
                        "insert into RetentionPolicyEntity (kind, name, policy, updatedBy, updatedAt)"
                                + " values (?1, ?2, ?3, ?4, ?5) on conflict (kind, name) do update"
                                + " set policy = excluded.policy, updatedBy = excluded.updatedBy, updatedAt = excluded.updatedAt")
                .setParameter(1, key.kind())
                .setParameter(2, key.name())
                .setParameter(3, json)
                .setParameter(4, actor.user())
                .setParameter(5, Instant.now())
                .executeUpdate();
        events.emit(actor, new RegistryEvents.RetentionChanged(scope(kind, name), json));
        return find(kind, name).orElseThrow();
    }

    @Transactional
    public boolean remove(Kind kind, String name, Actor actor) {
        Key key = key(kind, name);
        if (RetentionPolicyEntity.delete("kind = ?1 and name = ?2", key.kind(), key.name()) == 0) {
            return false;
        }
        events.emit(actor, new RegistryEvents.RetentionChanged(scope(kind, name), null));
        return true;
    }

    /** The rules that hold for a repository: its own, else its namespace's. */
    Optional<RetentionPolicy> policyFor(RepositoryName repository) {
        Optional<Stored> own = find(Kind.REPOSITORY, repository.value());
        if (own.isPresent()) {
            return Optional.of(own.get().policy());
        }
        return find(Kind.NAMESPACE, repository.namespace()).map(Stored::policy);
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
                            DomainEvents.SOURCE,
                            actor,
                            new RegistryEvents.TagDeleted(name.value(), tag.tag(), tag.digest())));
        }
        return removed;
    }

    static String scope(Kind kind, String name) {
        return kind == Kind.NAMESPACE ? name + "/*" : name;
    }

    private static Key key(Kind kind, String name) {
        return new Key(kind.name().toLowerCase(Locale.ROOT), name);
    }

    private static Stored stored(Kind kind, RetentionPolicyEntity stored) {
        try {
            return new Stored(
                    kind,
                    stored.name,
                    JSON.readValue(stored.policy, RetentionPolicy.class),
                    stored.updatedBy,
                    stored.updatedAt);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored retention policy of " + stored.name + " does not read", e);
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
