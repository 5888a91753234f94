package dev.drydock.registry.identity;

import java.util.regex.Pattern;

/** User and organisation names: a repository's first path component, so the same grammar, shorter. */
public final class Names {

    private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");

    private Names() {}

    /** @return why the name cannot be used, or null when it can */
    public static String problem(String name) {
        if (name == null || name.length() < 2 || name.length() > 64) {
            return "must be 2 to 64 characters long";
        }
        if (!GRAMMAR.matcher(name).matches()) {
            return "may contain only lowercase letters, digits and . _ - between them";
        }
        return null;
    }
}
