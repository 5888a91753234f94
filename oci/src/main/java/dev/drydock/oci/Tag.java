package dev.drydock.oci;

import java.util.regex.Pattern;

/** A tag: a movable name for one manifest digest. */
public record Tag(String value) {

    private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
        if (!isValid(value)) {
            throw new OciException(
                    ErrorCode.TAG_INVALID,
                    "invalid tag: " + value
                            + " (letters, digits, _ . -, not starting with . or -, at most 128 characters)");
        }
    }

    /** Whether {@code value} is a tag by the spec's grammar; a reference that is not names no manifest. */
    public static boolean isValid(String value) {
        return value != null && GRAMMAR.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
