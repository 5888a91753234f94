package dev.drydock.registry.prune;

import dev.drydock.registry.identity.IdentityException;
import java.util.regex.Pattern;

/** A namespace as a caller names it: the first component of repository names ({@code acme}, {@code library}). */
final class Namespaces {

    private static final Pattern NAMESPACE = Pattern.compile("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$");

    private Namespaces() {}

    /** The namespace, stripped; a 400 for anything that cannot be one (a slash, upper case, a NUL, 256 characters). */
    static String parse(String raw) {
        String namespace = raw.strip();
        if (namespace.length() > 255 || !NAMESPACE.matcher(namespace).matches()) {
            throw new IdentityException(
                    400,
                    "The namespace is not valid: lower-case letters, digits and separators " + "(. _ -) between them.",
                    "namespace");
        }
        return namespace;
    }
}
