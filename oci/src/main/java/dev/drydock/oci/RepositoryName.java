package dev.drydock.oci;

/**
 * A repository name per the OCI distribution spec grammar: lowercase path components
 * separated by {@code /}. A single-component name is an official image and is stored as
 * {@code library/<name>}, the way Docker Hub does.
 */
public record RepositoryName(String value) {

    public static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value == null || value.length() > MAX_LENGTH || !grammatical(value)) {
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

    /**
     * Whether {@code value} follows the spec's grammar,
     * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}, read in one
     * pass: components joined by {@code /}, each runs of lowercase letters and digits joined by one
     * separator. The grammar as a {@code java.util.regex} pattern nests repetitions, for which the
     * matcher allocates a set of positions per repetition on every match; names are checked on
     * every request, and that set was half of what a manifest GET allocated.
     */
    static boolean grammatical(String value) {
        int i = 0;
        int n = value.length();
        while (true) {
            int run = i;
            while (i < n && isLowerAlphanumeric(value.charAt(i))) {
                i++;
            }
            if (i == run) {
                return false; // empty name or component, or a separator not between two runs
            }
            if (i == n) {
                return true;
            }
            char c = value.charAt(i++);
            if (c == '_' && i < n && value.charAt(i) == '_') {
                i++;
            } else if (c == '-') {
                while (i < n && value.charAt(i) == '-') {
                    i++;
                }
            } else if (c != '.' && c != '_' && c != '/') {
                return false;
            }
        }
    }

    private static boolean isLowerAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    public String namespace() {
        return value.substring(0, value.indexOf('/'));
    }

    @Override
    public String toString() {
        return value;
    }
}
