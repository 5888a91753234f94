package dev.drydock.registry.auth;

import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.identity.Organizations;
import dev.drydock.registry.identity.Role;
import dev.drydock.registry.repository.Repositories;
import dev.drydock.registry.repository.Visibility;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may do what to a repository. Platform admins: everything. A user: everything in their own
 * namespace. An organisation member, or a member of one of its teams: by the strongest role that
 * holds on the repository (read: pull; write: pull, push; admin: all). Anyone, signed in or not: pull of a public repository. A
 * personal access token caps all of this by its scope. Pulling a repository that does not exist
 * is allowed only to those who could push it, so that nobody else can tell it from a private one.
 */
@ApplicationScoped
public class Permissions {

    private final Repositories repositories;
    private final Organizations organizations;

    Permissions(Repositories repositories, Organizations organizations) {
        this.repositories = repositories;
        this.organizations = organizations;
    }

    public Set<Action> granted(Principal principal, RepositoryName repository) throws SQLException {
        return granted(principal, repository, repositories.visibility(repository));
    }

    /** @param visibility the repository's visibility, empty when it does not exist */
    public Set<Action> granted(Principal principal, RepositoryName repository, Optional<Visibility> visibility)
            throws SQLException {
        Set<Action> granted = EnumSet.noneOf(Action.class);
        if (!principal.isAnonymous()) {
            String namespace = repository.namespace();
            if (principal.account().admin() || namespace.equals(principal.username())) {
                granted.addAll(EnumSet.allOf(Action.class));
            } else {
                organizations
                        .roleFor(namespace, principal.account().id(), repository.value())
                        .ifPresent(role -> granted.addAll(role.actions()));
            }
        }
        if (visibility.isPresent() && visibility.get() == Visibility.PUBLIC) {
            granted.add(Action.PULL);
        }
        if (visibility.isEmpty() && !granted.contains(Action.PUSH)) {
            granted.remove(Action.PULL);
        }
        granted.retainAll(principal.cap());
        return granted;
    }

    /**
     * Whether the caller administers a namespace as a whole: platform admins, the user it is, an
     * organisation's admins; a personal access token only with the {@code read-write-delete} scope.
     */
    public boolean administersNamespace(Principal principal, String namespace) throws SQLException {
        if (principal.isAnonymous() || !principal.cap().contains(Action.DELETE)) {
            return false;
        }
        return principal.account().admin()
                || namespace.equals(principal.username())
                || organizations
                        .roleOf(namespace, principal.account().id())
                        .filter(Role.ADMIN::equals)
                        .isPresent();
    }

    /**
     * The ids of the listed repositories the caller may pull, decided as {@link #granted} decides
     * it but from the caller's memberships and teams (two queries) rather than a query per
     * repository; null for a platform admin (all).
     */
    public long[] readableRepositories(Principal principal, List<Repositories.Listed> listed) throws SQLException {
        if (!principal.isAnonymous() && principal.account().admin()) {
            return null;
        }
        boolean member = !principal.isAnonymous() && principal.cap().contains(Action.PULL);
        Set<String> wholeOrganizations = new HashSet<>();
        Set<String> chosenRepositories = new HashSet<>();
        if (member) {
            for (Organizations.ReadScope scope :
                    organizations.readScopes(principal.account().id())) {
                if (scope.repositories() == null) {
                    wholeOrganizations.add(scope.organization());
                } else {
                    chosenRepositories.addAll(scope.repositories());
                }
            }
        }
        return listed.stream()
                .filter(repository -> repository.visibility() == Visibility.PUBLIC
                        || member
                                && (repository.name().namespace().equals(principal.username())
                                        || wholeOrganizations.contains(
                                                repository.name().namespace())
                                        || chosenRepositories.contains(
                                                repository.name().value())))
                .mapToLong(Repositories.Listed::id)
                .toArray();
    }
}
