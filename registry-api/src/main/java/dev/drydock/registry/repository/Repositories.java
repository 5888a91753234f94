package dev.drydock.registry.repository;

import static dev.drydock.registry.DomainEvents.SOURCE;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.manifest.ManifestCache;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Repositories: created on first push, listed in the catalog. */
@ApplicationScoped
public class Repositories {

    private final AgroalDataSource dataSource;
    private final RegistryConfig config;
    private final ManifestCache manifestCache;

    Repositories(AgroalDataSource dataSource, RegistryConfig config, ManifestCache manifestCache) {
        this.dataSource = dataSource;
        this.config = config;
        this.manifestCache = manifestCache;
    }

    /** The repository's id, creating it (and its event) on the caller's transaction if it is new. */
    public long ensure(Connection c, RepositoryName name, Actor actor) throws SQLException {
        return create(c, name, defaultVisibility(c, name.namespace()), actor).orElseGet(() -> {
            try {
                return find(c, name).orElseThrow();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Creates a repository with its event; empty if it exists already. */
    public OptionalLong create(Connection c, RepositoryName name, Visibility visibility, Actor actor)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO repository (name, visibility) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING id")) {
            insert.setString(1, name.value());
            insert.setString(2, visibility.value());
            try (ResultSet rs = insert.executeQuery()) {
                if (rs.next()) {
                    Outbox.append(
                            c,
                            Event.of(
                                    SOURCE,
                                    actor,
                                    new RegistryEvents.RepositoryCreated(name.value(), visibility.value())));
                    return OptionalLong.of(rs.getLong(1));
                }
            }
        }
        return OptionalLong.empty();
    }

    /** Organisations' repositories start private, users' and official ones public (configurable). */
    private Visibility defaultVisibility(Connection c, String namespace) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT kind FROM namespace WHERE name = ?")) {
            select.setString(1, namespace);
            try (ResultSet rs = select.executeQuery()) {
                boolean organization = rs.next() && rs.getString(1).equals("organization");
                return organization
                        ? config.defaultVisibility().organization()
                        : config.defaultVisibility().user();
            }
        }
    }

    /** The repository's visibility, empty when it does not exist. */
    public Optional<Visibility> visibility(RepositoryName name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return visibility(c, name);
        }
    }

    private Optional<Visibility> visibility(Connection c, RepositoryName name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT visibility FROM repository WHERE name = ?")) {
            select.setString(1, name.value());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(Visibility.stored(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /** A repository's description and README. */
    public record Description(String description, String readme) {}

    /**
     * Deletes the repository with its tags, manifests, stars and retention rules, emitting a deletion
     * for each tag and manifest and then the repository's; false when there is no such repository. Blob links in
     * layer-store stay until a prune removes them.
     */
    public boolean delete(Connection c, RepositoryName name, Actor actor) throws SQLException {
        OptionalLong id = find(c, name);
        if (id.isEmpty()) {
            return false;
        }
        manifestCache.changing(id.getAsLong());
        try (PreparedStatement tags =
                c.prepareStatement("DELETE FROM tag WHERE repository_id = ? RETURNING name, digest")) {
            tags.setLong(1, id.getAsLong());
            try (ResultSet rs = tags.executeQuery()) {
                while (rs.next()) {
                    Outbox.append(
                            c,
                            Event.of(
                                    SOURCE,
                                    actor,
                                    new RegistryEvents.TagDeleted(name.value(), rs.getString(1), rs.getString(2))));
                }
            }
        }
        try (PreparedStatement manifests =
                c.prepareStatement("DELETE FROM manifest WHERE repository_id = ? RETURNING digest")) {
            manifests.setLong(1, id.getAsLong());
            try (ResultSet rs = manifests.executeQuery()) {
                while (rs.next()) {
                    Outbox.append(
                            c,
                            Event.of(SOURCE, actor, new RegistryEvents.ManifestDeleted(name.value(), rs.getString(1))));
                }
            }
        }
        // its retention rules go with it: a repository made again under the name starts without them
        try (PreparedStatement rules =
                c.prepareStatement("DELETE FROM retention_policy WHERE kind = 'repository' AND name = ?")) {
            rules.setString(1, name.value());
            if (rules.executeUpdate() > 0) {
                Outbox.append(c, Event.of(SOURCE, actor, new RegistryEvents.RetentionChanged(name.value(), null)));
            }
        }
        try (PreparedStatement repository = c.prepareStatement("DELETE FROM repository WHERE id = ?")) {
            repository.setLong(1, id.getAsLong());
            repository.executeUpdate();
        }
        Outbox.append(c, Event.of(SOURCE, actor, new RegistryEvents.RepositoryDeleted(name.value())));
        return true;
    }

    /** A page of repository names with their visibility, in lexical order after {@code last}. */
    public List<Map.Entry<String, Visibility>> namesWithVisibility(String last, int limit) throws SQLException {
        List<Map.Entry<String, Visibility>> names = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT name, visibility FROM repository WHERE name > ? COLLATE \"C\" ORDER BY name COLLATE \"C\" LIMIT ?")) {
            select.setString(1, last == null ? "" : last);
            select.setInt(2, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(Map.entry(rs.getString(1), Visibility.stored(rs.getString(2))));
                }
            }
        }
        return names;
    }

    public OptionalLong find(Connection c, RepositoryName name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT id FROM repository WHERE name = ?")) {
            select.setString(1, name.value());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** @throws OciException NAME_UNKNOWN when there is no such repository */
    public long require(Connection c, RepositoryName name) throws SQLException {
        return find(c, name)
                .orElseThrow(() -> new OciException(
                        ErrorCode.NAME_UNKNOWN, "repository name not known to registry", name.value()));
    }

    public record Listed(long id, RepositoryName name, Visibility visibility) {}

    /** Every repository with its id and visibility. */
    public List<Listed> listed() throws SQLException {
        List<Listed> listed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT id, name, visibility FROM repository");
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                listed.add(new Listed(
                        rs.getLong(1), RepositoryName.parse(rs.getString(2)), Visibility.stored(rs.getString(3))));
            }
        }
        return listed;
    }

    /** Every repository whose namespace is exactly {@code namespace}, by name. */
    public List<RepositoryName> inNamespace(String namespace) throws SQLException {
        return names(
                "SELECT name FROM repository WHERE split_part(name, '/', 1) = ? ORDER BY name COLLATE \"C\"",
                namespace);
    }

    /** Every repository, by name. */
    public List<RepositoryName> all() throws SQLException {
        return names("SELECT name FROM repository ORDER BY name COLLATE \"C\"", null);
    }

    private List<RepositoryName> names(String sql, String parameter) throws SQLException {
        List<RepositoryName> names = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(sql)) {
            if (parameter != null) {
                select.setString(1, parameter);
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(RepositoryName.parse(rs.getString(1)));
                }
            }
        }
        return names;
    }
}
