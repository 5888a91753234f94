package dev.drydock.oci;

import java.util.regex.Pattern;

/**
 * A repository name per the OCI distribution spec grammar: lowercase path components
 * separated by {@code /}. A single-component name is an official image and is stored as
 * {@code library/<name>}, the way Docker Hub does.
 */
public record RepositoryName(String value) {

    public static final int MAX_LENGTH = 255;
    private static final Pattern GRAMMAR =
            Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");

    public RepositoryName {
        if (value == null
                || value.length() > MAX_LENGTH
                || !GRAMMAR.matcher(value).matches()) {
            throw new OciException(
                    ErrorCode.NAME_INVALID,
                    "invalid repository name: " + value
                            + " (lowercase letters, digits and separators . _ __ - in components joined by /, at most "
                            + MAX_LENGTH + " characters)");
        }
    }

    /** Parses a name as a client sent it; {@code hello} becomes {@code library/hello}. */
    public static RepositoryName parse(String text) {
        RepositoryName name = new RepositoryName(text);
        return name.value.contains("/") ? name : new RepositoryName("library/" + name.value);
    }

    public String namespace() {
        return value.substring(0, value.indexOf('/'));
    }

    @Override
    public String toString() {
        return value;
    }
}
