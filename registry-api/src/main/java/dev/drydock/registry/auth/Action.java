package dev.drydock.registry.auth;

import java.util.Locale;
import java.util.Optional;

/** The actions of distribution's token scopes on a repository. */
public enum Action {
    PULL, PUSH, DELETE;

    public String scopeName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Action> of(String scopeName) {
        for (Action action : values()) {
            if (action.scopeName().equals(scopeName)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
