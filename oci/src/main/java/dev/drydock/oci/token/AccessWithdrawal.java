package dev.drydock.oci.token;

import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Access taken away at a moment: a repository made private, a member removed from an
 * organisation, a member's role or a team changed. Every token signed before that moment that
 * names a repository in its scope, for its subject, is refused from then on, so that what a token
 * said when it was signed does not outlive the access it was signed for; its holder asks for a new
 * one, which says what they may do now.
 *
 * @param scope a repository name ({@code alice/app}), or a namespace ending with a slash
 *     ({@code acme/}) for all of its repositories
 * @param subject the user whose tokens it ends; {@code null} for everyone's, anonymous tokens too
 * @param at the moment, after the change committed
 */
public record AccessWithdrawal(String scope, String subject, Instant at) {

    /** Whether this withdrawal ends the token. */
    public boolean ends(RegistryToken token) {
        if (subject != null && !subject.equals(token.subject())) {
            return false;
        }
        if (token.issuedAt() != null && token.issuedAt().isAfter(at)) {
            return false;
        }
        for (RegistryToken.Access access : token.access()) {
            if ("repository".equals(access.type()) && inScope(access.name())) {
                return true;
            }
        }
        return false;
    }

    private boolean inScope(String name) {
        String repository = canonical(name);
        return scope.endsWith("/") ? repository.startsWith(scope) : repository.equals(scope);
    }

    /** The name as the front door reads it ({@code hello} is {@code library/hello}); as written when it is no name. */
    private static String canonical(String name) {
        try {
            return RepositoryName.parse(name).value();
        } catch (OciException | IllegalArgumentException e) {
            return name;
        }
    }

    /** Withdrawals by scope, so that a request looks up only those of the repositories its token names. */
    public static final class Index {

        public static final Index EMPTY = new Index(List.of());

        private final List<AccessWithdrawal> all;
        private final Map<String, List<AccessWithdrawal>> byScope = new HashMap<>();

        public Index(Collection<AccessWithdrawal> withdrawals) {
            this.all = List.copyOf(withdrawals);
            for (AccessWithdrawal withdrawal : all) {
                byScope.computeIfAbsent(withdrawal.scope(), scope -> new ArrayList<>())
                        .add(withdrawal);
            }
        }

        public List<AccessWithdrawal> all() {
            return all;
        }

        /** The same withdrawals and these. */
        public Index with(Collection<AccessWithdrawal> more) {
            List<AccessWithdrawal> next = new ArrayList<>(all);
            next.addAll(more);
            return new Index(next);
        }

        /** Whether any of the withdrawals ends the token. */
        public boolean ends(RegistryToken token) {
            if (all.isEmpty()) {
                return false;
            }
            for (RegistryToken.Access access : token.access()) {
                if (!"repository".equals(access.type())) {
                    continue;
                }
                String repository = canonical(access.name());
                int slash = repository.indexOf('/');
                if (endsAny(byScope.get(repository), token)
                        || (slash > 0 && endsAny(byScope.get(repository.substring(0, slash + 1)), token))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean endsAny(List<AccessWithdrawal> withdrawals, RegistryToken token) {
            if (withdrawals != null) {
                for (AccessWithdrawal withdrawal : withdrawals) {
                    if (withdrawal.ends(token)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
