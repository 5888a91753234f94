package dev.drydock.registry.identity;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventData;
import dev.drydock.events.IdentityEvents;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Organisations and their members. A member's role (read, write, admin) holds on all of the
 * organisation's repositories; the creator is its first admin.
 */
@ApplicationScoped
public class Organizations {

    public static final Set<String> ROLES = Set.of("read", "write", "admin");

    private final AgroalDataSource dataSource;
    private final Accounts accounts;

    Organizations(AgroalDataSource dataSource, Accounts accounts) {
        this.dataSource = dataSource;
        this.accounts = accounts;
    }

    public record Member(String username, String role) {
    }

    public void create(String name, Account owner, Actor actor) {
        String problem = Names.problem(name);
        if (problem != null) {
            throw new IdentityException(400, "The organisation name " + problem + ".", "name");
        }
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                if (!Accounts.claimNamespace(c, name, "organization")) {
                    throw new IdentityException(409, "The name " + name + " is taken.", "name");
                }
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO organization (name, created_by) VALUES (?, ?)")) {
                    insert.setString(1, name);
                    insert.setLong(2, owner.id());
                    insert.executeUpdate();
                }
                putMember(c, name, owner.id(), "admin");
                emit(c, actor, new IdentityEvents.OrganizationCreated(name, owner.username()));
                emit(c, actor, new IdentityEvents.MemberAdded(name, owner.username(), "admin"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Adds a member or changes a member's role. */
    public void setMember(String organization, String username, String role, Actor actor) throws SQLException {
        if (!ROLES.contains(role)) {
            throw new IdentityException(400, "The role must be read, write or admin.", "role");
        }
        Account member = accounts.find(username)
                .orElseThrow(() -> new IdentityException(404, "There is no user " + username + ".", "username"));
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                putMember(c, organization, member.id(), role);
                emit(c, actor, new IdentityEvents.MemberAdded(organization, username, role));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public boolean removeMember(String organization, String username, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement delete = c.prepareStatement("DELETE FROM organization_member m USING account a"
                         + " WHERE m.account_id = a.id AND m.organization = ? AND a.username = ?")) {
                delete.setString(1, organization);
                delete.setString(2, username);
                if (delete.executeUpdate() == 0) {
                    return false;
                }
                emit(c, actor, new IdentityEvents.MemberRemoved(organization, username));
                return true;
            }
        });
    }

    /** The member's role in the organisation, if any. */
    public Optional<String> roleOf(String organization, long accountId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT role FROM organization_member WHERE organization = ? AND account_id = ?")) {
            select.setString(1, organization);
            select.setLong(2, accountId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public boolean exists(String organization) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT 1 FROM organization WHERE name = ?")) {
            select.setString(1, organization);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    public List<Member> members(String organization) throws SQLException {
        List<Member> members = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT a.username, m.role FROM organization_member m"
                     + " JOIN account a ON a.id = m.account_id WHERE m.organization = ? ORDER BY a.username")) {
            select.setString(1, organization);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    members.add(new Member(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return members;
    }

    private static void putMember(Connection c, String organization, long accountId, String role) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO organization_member (organization, account_id, role)"
                + " VALUES (?, ?, ?) ON CONFLICT (organization, account_id) DO UPDATE SET role = EXCLUDED.role")) {
            upsert.setString(1, organization);
            upsert.setLong(2, accountId);
            upsert.setString(3, role);
            upsert.executeUpdate();
        }
    }

    private static void emit(Connection c, Actor actor, EventData data) throws SQLException {
        Outbox.append(c, Event.of(Repositories.SOURCE, actor, data));
    }
}
