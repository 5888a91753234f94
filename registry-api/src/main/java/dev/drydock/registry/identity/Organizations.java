package dev.drydock.registry.identity;

import dev.drydock.events.Actor;
import dev.drydock.events.IdentityEvents;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.auth.AccessWithdrawalEntity;
import dev.drydock.registry.auth.AccessWithdrawals;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.persistence.LockModeType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Organisations and their members. A member's role (read, write, admin) holds on all of the
 * organisation's repositories; the creator is its first admin. Changes to an organisation's members
 * and teams take its row's lock first, so that they serialise.
 */
@ApplicationScoped
@ActivateRequestContext
public class Organizations {

    private final DomainEvents events;
    private final Accounts accounts;
    private final AccessWithdrawals withdrawals;

    Organizations(DomainEvents events, Accounts accounts, AccessWithdrawals withdrawals) {
        this.events = events;
        this.accounts = accounts;
        this.withdrawals = withdrawals;
    }

    public record Member(String username, Role role) {}

    public void create(String name, Account owner, Actor actor) {
        String problem = Names.problem(name);
        if (problem != null) {
            throw new IdentityException(400, "The organisation name " + problem + ".", "name");
        }
        QuarkusTransaction.requiringNew().run(() -> {
            if (!NamespaceEntity.claim(name, NamespaceEntity.ORGANIZATION)) {
                throw new IdentityException(409, "The name " + name + " is taken.", "name");
            }
            OrganizationEntity organization = new OrganizationEntity();
            organization.name = name;
            organization.createdBy = owner.id();
            organization.persist();
            putMember(name, owner.id(), Role.ADMIN);
            events.emit(actor, new IdentityEvents.OrganizationCreated(name, owner.username()));
            events.emit(actor, new IdentityEvents.MemberAdded(name, owner.username(), Role.ADMIN.value()));
        });
    }

    /** Adds a member or changes a member's role. */
    public void setMember(String organization, String username, String role, Actor actor) {
        Role parsed = Role.parse(role)
                .orElseThrow(
                        () -> new IdentityException(400, "The role must be member, read, write or admin.", "role"));
        requireExists(organization);
        Account member = accounts.find(username)
                .orElseThrow(() -> new IdentityException(404, "There is no user " + username + ".", "username"));
        List<AccessWithdrawalEntity> withdrawn = new ArrayList<>();
        QuarkusTransaction.requiringNew().run(() -> {
            lock(organization);
            Optional<Role> before = roleOf(organization, member.id());
            putMember(organization, member.id(), parsed);
            if (before.isPresent() && before.get() != parsed) {
                // tokens signed under the old role say what it allowed: the member asks for new ones
                withdrawn.add(withdrawals.record(organization + "/", username));
            }
            events.emit(actor, new IdentityEvents.MemberAdded(organization, username, parsed.value()));
        });
        withdrawals.confirm(withdrawn);
    }

    public boolean removeMember(String organization, String username, Actor actor) {
        Optional<Account> member = accounts.find(username);
        if (member.isEmpty()) {
            return false;
        }
        long accountId = member.get().id();
        List<AccessWithdrawalEntity> withdrawn = new ArrayList<>();
        boolean removed = QuarkusTransaction.requiringNew().call(() -> {
            lock(organization);
            if (OrganizationMemberEntity.delete("organization = ?1 and accountId = ?2", organization, accountId) == 0) {
                return false;
            }
            // who leaves the organisation leaves its teams: no access stays behind through them,
            // nor in the registry tokens they hold
            TeamMemberEntity.delete("organization = ?1 and accountId = ?2", organization, accountId);
            withdrawn.add(withdrawals.record(organization + "/", username));
            events.emit(actor, new IdentityEvents.MemberRemoved(organization, username));
            return true;
        });
        withdrawals.confirm(withdrawn);
        return removed;
    }

    public record Team(String name, Role role, List<String> repositories, List<String> members) {}

    /**
     * Creates or replaces a team: its role, the repositories it holds on (empty: all of the
     * organisation's) and its members.
     */
    public void putTeam(String organization, Team team, Actor actor) {
        String problem = Names.problem(team.name());
        if (problem != null) {
            throw new IdentityException(400, "The team name " + problem + ".", "name");
        }
        if (team.role() == null || team.role() == Role.MEMBER) {
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
        Map<Long, Account> members = new LinkedHashMap<>();
        for (String username : team.members() == null ? List.<String>of() : team.members()) {
            if (username == null) {
                throw new IdentityException(400, "A team's members are user names.", "members");
            }
            Account member = accounts.find(username)
                    .orElseThrow(() -> new IdentityException(404, "There is no user " + username + ".", "members"));
            members.put(member.id(), member);
        }
        List<AccessWithdrawalEntity> withdrawn = new ArrayList<>();
        QuarkusTransaction.requiringNew().run(() -> {
            lock(organization);
            // under the organisation's lock: a member removed meanwhile is not put back into a team
            for (Account member : members.values()) {
                if (roleOf(organization, member.id()).isEmpty()) {
                    throw new IdentityException(
                            400,
                            member.username() + " is not a member of " + organization
                                    + ": add them to the organisation first.",
                            "members");
                }
            }
            TeamEntity entity = TeamEntity.findById(new TeamEntity.Key(organization, team.name()));
            if (entity == null) {
                entity = new TeamEntity();
                entity.organization = organization;
                entity.name = team.name();
            }
            // who loses some of what the team gave loses the tokens that said it, and asks anew: all
            // of its members when its role or its repositories narrow, else those who leave it
            boolean narrowed = entity.role != null
                    && (team.role().ordinal() < entity.role.ordinal() || narrows(entity.repositories, repositories));
            for (String before : memberNames(organization, team.name())) {
                if (narrowed
                        || members.values().stream().noneMatch(m -> m.username().equals(before))) {
                    withdrawn.add(withdrawals.record(organization + "/", before));
                }
            }
            entity.role = team.role();
            entity.repositories = repositories.isEmpty() ? null : repositories.toArray(String[]::new);
            entity.persist();
            TeamMemberEntity.delete("organization = ?1 and team = ?2", organization, team.name());
            for (Account member : members.values()) {
                TeamMemberEntity teamMember = new TeamMemberEntity();
                teamMember.organization = organization;
                teamMember.team = team.name();
                teamMember.accountId = member.id();
                teamMember.persist();
            }
            events.emit(
                    actor,
                    new IdentityEvents.TeamChanged(
                            organization,
                            team.name(),
                            team.role().value(),
                            repositories,
                            members.values().stream().map(Account::username).toList()));
        });
        withdrawals.confirm(withdrawn);
    }

    /** Whether a team's repositories ({@code null} or none: all of the organisation's) lose any. */
    private static boolean narrows(String[] before, List<String> after) {
        if (after.isEmpty()) {
            return false;
        }
        return before == null || before.length == 0 || !after.containsAll(List.of(before));
    }

    /** The user names of a team's members. */
    private static List<String> memberNames(String organization, String team) {
        return TeamMemberEntity.getEntityManager()
                .createQuery(
                        "select a.username from TeamMemberEntity m join AccountEntity a on a.id = m.accountId"
                                + " where m.organization = ?1 and m.team = ?2",
                        String.class)
                .setParameter(1, organization)
                .setParameter(2, team)
                .getResultList();
    }

    public List<Team> teams(String organization) {
        Map<String, List<String>> members = new LinkedHashMap<>();
        TeamMemberEntity.getEntityManager()
                .createQuery(
                        "select m.team, a.username from TeamMemberEntity m join AccountEntity a on a.id = m.accountId"
                                + " where m.organization = ?1 order by a.username",
                        Object[].class)
                .setParameter(1, organization)
                .getResultStream()
                .forEach(row -> members.computeIfAbsent((String) row[0], team -> new ArrayList<>())
                        .add((String) row[1]));
        return TeamEntity.<TeamEntity>list("organization = ?1 order by name", organization).stream()
                .map(team -> new Team(
                        team.name,
                        team.role,
                        team.repositories == null ? List.of() : List.of(team.repositories),
                        List.copyOf(members.getOrDefault(team.name, List.of()))))
                .toList();
    }

    /**
     * The strongest role the account has on a repository of the organisation: as a member, or
     * through a team that holds on all of the organisation's repositories or on this one. Teams
     * grant only to members: who is no longer one has nothing through them. Never {@link Role#MEMBER}.
     */
    public Optional<Role> roleFor(String organization, long accountId, String repository) {
        // one query: the membership, with each of the member's teams in the organisation (or none)
        List<Object[]> rows = OrganizationMemberEntity.getEntityManager()
                .createQuery(
                        "select o.role, t from OrganizationMemberEntity o"
                                + " left join TeamMemberEntity m on m.organization = o.organization and m.accountId = o.accountId"
                                + " left join TeamEntity t on t.organization = m.organization and t.name = m.team"
                                + " where o.organization = ?1 and o.accountId = ?2",
                        Object[].class)
                .setParameter(1, organization)
                .setParameter(2, accountId)
                .getResultList();
        Role best = null;
        for (Object[] row : rows) {
            Role own = (Role) row[0];
            if (own != Role.MEMBER) {
                best = own.strongest(best);
            }
            if (row[1] instanceof TeamEntity team
                    && (team.repositories == null
                            || Arrays.asList(team.repositories).contains(repository))) {
                best = team.role.strongest(best);
            }
        }
        return Optional.ofNullable(best);
    }

    public record Membership(String organization, Role role) {}

    /** The organisations the account is a member of, with its role in each. */
    public List<Membership> membershipsOf(long accountId) {
        return OrganizationMemberEntity.<OrganizationMemberEntity>list(
                        "accountId = ?1 order by organization", accountId)
                .stream()
                .map(m -> new Membership(m.organization, m.role))
                .toList();
    }

    /** Where an account may read: a whole organisation ({@code repositories} null) or chosen repositories of it. */
    public record ReadScope(String organization, List<String> repositories) {}

    /** Every organisation, or set of an organisation's repositories, the account may read as member or through a team. */
    public List<ReadScope> readScopes(long accountId) {
        List<ReadScope> scopes = new ArrayList<>();
        for (Membership membership : membershipsOf(accountId)) {
            if (membership.role() != Role.MEMBER) {
                scopes.add(new ReadScope(membership.organization(), null));
            }
        }
        TeamEntity.getEntityManager()
                .createQuery(
                        "select t from TeamEntity t join TeamMemberEntity m"
                                + " on m.organization = t.organization and m.team = t.name"
                                + " join OrganizationMemberEntity o on o.organization = t.organization and o.accountId = m.accountId"
                                + " where m.accountId = ?1",
                        TeamEntity.class)
                .setParameter(1, accountId)
                .getResultStream()
                .forEach(team -> scopes.add(new ReadScope(
                        team.organization, team.repositories == null ? null : List.of(team.repositories))));
        return scopes;
    }

    private static boolean isRepositoryName(String repository) {
        try {
            return RepositoryName.parse(repository).value().equals(repository);
        } catch (OciException e) {
            return false;
        }
    }

    private void requireExists(String organization) {
        if (!exists(organization)) {
            throw new IdentityException(404, "There is no organisation " + organization + ".");
        }
    }

    /** Takes the organisation's row lock for the rest of the transaction. */
    private static void lock(String organization) {
        if (OrganizationEntity.findById(organization, LockModeType.PESSIMISTIC_WRITE) == null) {
            throw new IdentityException(404, "There is no organisation " + organization + ".");
        }
    }

    /** The member's role in the organisation, if any. */
    public Optional<Role> roleOf(String organization, long accountId) {
        return OrganizationMemberEntity.<OrganizationMemberEntity>findByIdOptional(
                        new OrganizationMemberEntity.Key(organization, accountId))
                .map(m -> m.role);
    }

    public boolean exists(String organization) {
        return OrganizationEntity.count("name", organization) > 0;
    }

    public List<Member> members(String organization) {
        return OrganizationMemberEntity.getEntityManager()
                .createQuery(
                        "select a.username, m.role from OrganizationMemberEntity m"
                                + " join AccountEntity a on a.id = m.accountId where m.organization = ?1 order by a.username",
                        Object[].class)
                .setParameter(1, organization)
                .getResultStream()
                .map(row -> new Member((String) row[0], (Role) row[1]))
                .toList();
    }

    private static void putMember(String organization, long accountId, Role role) {
        OrganizationMemberEntity member =
                OrganizationMemberEntity.findById(new OrganizationMemberEntity.Key(organization, accountId));
        if (member == null) {
            member = new OrganizationMemberEntity();
            member.organization = organization;
            member.accountId = accountId;
        }
        member.role = role;
        member.persist();
    }
}
