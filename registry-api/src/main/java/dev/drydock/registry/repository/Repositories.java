package dev.drydock.registry.repository;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.outbox.Outbox;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Repositories: created on first push, listed in the catalog. */
@ApplicationScoped
public class Repositories {

    public static final String SOURCE = "/drydock/registry-api";

    private final AgroalDataSource dataSource;

    Repositories(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The repository's id, creating it (and its event) on the caller's transaction if it is new. */
    public long ensure(Connection c, RepositoryName name, Actor actor) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO repository (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id, visibility")) {
            insert.setString(1, name.value());
            try (ResultSet rs = insert.executeQuery()) {
                if (rs.next()) {
                    Outbox.append(c, Event.of(SOURCE, actor, new RegistryEvents.RepositoryCreated(name.value(), rs.getString(2))));
                    return rs.getLong(1);
                }
            }
        }
        return find(c, name).orElseThrow();
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
        return find(c, name).orElseThrow(() ->
                new OciException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry", name.value()));
    }

    /** Repository names in lexical order after {@code last}, at most {@code limit}. */
    public List<String> names(String last, int limit) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT name FROM repository WHERE name > ? ORDER BY name COLLATE \"C\" LIMIT ?")) {
            select.setString(1, last == null ? "" : last);
            select.setInt(2, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }
}
