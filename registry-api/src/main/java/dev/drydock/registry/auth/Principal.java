package dev.drydock.registry.auth;

import dev.drydock.oci.token.Action;
import dev.drydock.registry.identity.Account;
import dev.drydock.registry.identity.TokenScope;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * Who is asking: an account (signed in with a password, or with a personal access token whose
 * scope caps what it may do), or nobody.
 */
public record Principal(Account account, UUID tokenId, TokenScope tokenScope) {

    public static final Principal ANONYMOUS = new Principal(null, null, null);

    public static Principal of(Account account) {
        return new Principal(account, null, null);
    }

    public boolean isAnonymous() {
        return account == null;
    }

    public String username() {
        return account == null ? null : account.username();
    }

    /** What a personal access token's scope allows at most; everything for a password. */
    public Set<Action> cap() {
        return tokenScope == null ? EnumSet.allOf(Action.class) : tokenScope.cap();
    }
}
