package dev.drydock.registry.identity;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventData;
import dev.drydock.events.IdentityEvents;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
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

    /** {@code member}: in the organisation, with access only through its teams (Docker Hub's plain member). */
    public static final Set<String> ROLES = Set.of("member", "read", "write", "admin");

    private final AgroalDataSource dataSource;
    private final Accounts accounts;

    Organizations(AgroalDataSource dataSource, Accounts accounts) {
        this.dataSource = dataSource;
        this.accounts = accounts;
    }

    public record Member(String username, String role) {}

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
                try (PreparedStatement insert =
                        c.prepareStatement("INSERT INTO organization (name, created_by) VALUES (?, ?)")) {
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
        if (role == null || !ROLES.contains(role)) {
            throw new IdentityException(400, "The role must be member, read, write or admin.", "role");
        }
        requireExists(organization);
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
                            + " WHERE m.account_id = a.id AND m.organization = ? AND a.username = ?");
                    PreparedStatement fromTeams = c.prepareStatement("DELETE FROM team_member m USING account a"
                            + " WHERE m.account_id = a.id AND m.organization = ? AND a.username = ?")) {
                delete.setString(1, organization);
                delete.setString(2, username);
                if (delete.executeUpdate() == 0) {
                    return false;
                }
                // who leaves the organisation leaves its teams: no access stays behind through them
                fromTeams.setString(1, organization);
                fromTeams.setString(2, username);
                fromTeams.executeUpdate();
                emit(c, actor, new IdentityEvents.MemberRemoved(organization, username));
                return true;
            }
        });
    }

    public record Team(String name, String role, List<String> repositories, List<String> members) {}

    /**
     * Creates or replaces a team: its role, the repositories it holds on (empty: all of the
     * organisation's) and its members.
     */
    public void putTeam(String organization, Team team, Actor actor) throws SQLException {
        String problem = Names.problem(team.name());
        if (problem != null) {
            throw new IdentityException(400, "The team name " + problem + ".", "name");
        }
        if (team.role() == null || !RANK.contains(team.role())) {
            throw new IdentityException(400, "The role must be read, write or admin.", "role");
        }
        List<String> repositories = team.repositories() == null ? List.of() : team.repositories();
        for (String repository : repositories) {
            if (repository == null || !repository.startsWith(organization + "/") || !isRepositoryName(repository)) {
                throw new IdentityException(
                        400, repository + " is not a repository of " + organization + ".", "repositories");
            }
        }
        requireExists(organization);
        List<Account> members = new ArrayList<>();
        for (String username : team.members() == null ? List.<String>of() : team.members()) {
            Account member = username == null
                    ? null
                    : accounts.find(username)
                            .orElseThrow(
                                    () -> new IdentityException(404, "There is no user " + username + ".", "members"));
            if (member == null || roleOf(organization, member.id()).isEmpty()) {
                throw new IdentityException(
                        400,
                        username + " is not a member of " + organization + ": add them to the organisation first.",
                        "members");
            }
            members.add(member);
        }
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement upsert =
                        c.prepareStatement("INSERT INTO team (organization, name, role, repositories)"
                                + " VALUES (?, ?, ?, ?) ON CONFLICT (organization, name) DO UPDATE SET role = EXCLUDED.role,"
                                + " repositories = EXCLUDED.repositories")) {
                    upsert.setString(1, organization);
                    upsert.setString(2, team.name());
                    upsert.setString(3, team.role());
                    upsert.setArray(4, repositories.isEmpty() ? null : c.createArrayOf("text", repositories.toArray()));
                    upsert.executeUpdate();
                }
                try (PreparedStatement clear =
                        c.prepareStatement("DELETE FROM team_member WHERE organization = ? AND team = ?")) {
                    clear.setString(1, organization);
                    clear.setString(2, team.name());
                    clear.executeUpdate();
                }
                for (Account member : members) {
                    try (PreparedStatement add = c.prepareStatement(
                            "INSERT INTO team_member (organization, team, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                        add.setString(1, organization);
                        add.setString(2, team.name());
                        add.setLong(3, member.id());
                        add.executeUpdate();
                    }
                }
                emit(
                        c,
                        actor,
                        new IdentityEvents.TeamChanged(
                                organization,
                                team.name(),
                                team.role(),
                                repositories,
                                members.stream().map(Account::username).toList()));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public List<Team> teams(String organization) throws SQLException {
        List<Team> teams = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT t.name, t.role, t.repositories,"
                        + " array_remove(array_agg(a.username ORDER BY a.username), NULL)"
                        + " FROM team t LEFT JOIN team_member m ON m.organization = t.organization AND m.team = t.name"
                        + " LEFT JOIN account a ON a.id = m.account_id WHERE t.organization = ?"
                        + " GROUP BY t.name, t.role, t.repositories ORDER BY t.name")) {
            select.setString(1, organization);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Array repositories = rs.getArray(3);
                    teams.add(new Team(
                            rs.getString(1),
                            rs.getString(2),
                            repositories == null ? List.of() : List.of((String[]) repositories.getArray()),
                            List.of((String[]) rs.getArray(4).getArray())));
                }
            }
        }
        return teams;
    }

    /**
     * The strongest role the account has on a repository of the organisation: as a member, or
     * through a team that holds on all of the organisation's repositories or on this one. Teams
     * grant only to members: who is no longer one has nothing through them.
     */
    public Optional<String> roleFor(String organization, long accountId, String repository) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT role FROM organization_member"
                                + " WHERE organization = ? AND account_id = ? AND role <> '" + NO_ACCESS + "'"
                                + " UNION ALL SELECT t.role FROM team t JOIN team_member m"
                                + " ON m.organization = t.organization AND m.team = t.name"
                                + " JOIN organization_member om ON om.organization = t.organization AND om.account_id = m.account_id"
                                + " WHERE t.organization = ? AND m.account_id = ? AND (t.repositories IS NULL OR ? = ANY (t.repositories))")) {
            select.setString(1, organization);
            select.setLong(2, accountId);
            select.setString(3, organization);
            select.setLong(4, accountId);
            select.setString(5, repository);
            String best = null;
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    if (best == null || RANK.indexOf(rs.getString(1)) > RANK.indexOf(best)) {
                        best = rs.getString(1);
                    }
                }
            }
            return Optional.ofNullable(best);
        }
    }

    private static final List<String> RANK = List.of("read", "write", "admin");
    /** A plain member's own role grants nothing by itself. */
    private static final String NO_ACCESS = "member";

    public record Membership(String organization, String role) {}

    /** The organisations the account is a member of, with its role in each. */
    public List<Membership> membershipsOf(long accountId) throws SQLException {
        List<Membership> memberships = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT organization, role FROM organization_member"
                        + " WHERE account_id = ? ORDER BY organization")) {
            select.setLong(1, accountId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    memberships.add(new Membership(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return memberships;
    }

    /** Where an account may read: a whole organisation ({@code repositories} null) or chosen repositories of it. */
    public record ReadScope(String organization, List<String> repositories) {}

    /** Every organisation, or set of an organisation's repositories, the account may read as member or through a team. */
    public List<ReadScope> readScopes(long accountId) throws SQLException {
        List<ReadScope> scopes = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT organization, NULL::text[] FROM organization_member"
                                + " WHERE account_id = ? AND role <> '" + NO_ACCESS
                                + "' UNION ALL SELECT t.organization, t.repositories FROM team t"
                                + " JOIN team_member m ON m.organization = t.organization AND m.team = t.name"
                                + " JOIN organization_member om ON om.organization = t.organization AND om.account_id = m.account_id"
                                + " WHERE m.account_id = ?")) {
            select.setLong(1, accountId);
            select.setLong(2, accountId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Array repositories = rs.getArray(2);
                    scopes.add(new ReadScope(
                            rs.getString(1),
                            repositories == null ? null : List.of((String[]) repositories.getArray())));
                }
            }
        }
        return scopes;
    }

    private static boolean isRepositoryName(String repository) {
        try {
            return RepositoryName.parse(repository).value().equals(repository);
        } catch (OciException e) {
            return false;
        }
    }

    private void requireExists(String organization) throws SQLException {
        if (!exists(organization)) {
            throw new IdentityException(404, "There is no organisation " + organization + ".");
        }
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
        try (PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO organization_member (organization, account_id, role)"
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
