package dev.drydock.oci.token;

import java.util.Locale;
import java.util.Optional;

/** The actions of distribution's token scopes on a repository. */
public enum Action {
    PULL,
    PUSH,
    DELETE;

    public String scopeName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What an HTTP method does to a repository's content: reads pull, DELETE deletes, the rest push. */
    public static Action requiredFor(String method) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return PULL;
        }
        return method.equals("DELETE") ? DELETE : PUSH;
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
