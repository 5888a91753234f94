package dev.drydock.oci.http;

import java.util.Optional;

/**
 * Text a client sends in a parameter or a JSON field. NUL and the other control characters
 * (tab, line feed and carriage return excepted, for READMEs and descriptions) are refused at the
 * edge: PostgreSQL cannot store NUL, and none belongs in a name, a query or a date.
 */
public final class TextInput {

    private TextInput() {}

    /** Why {@code text} is refused; empty if it is acceptable. */
    public static Optional<String> problem(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                return Optional.of(String.format("control character U+%04X is not accepted", (int) c));
            }
            if (Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c)
                            && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(++i)))) {
                return Optional.of("the text is not valid Unicode (a lone surrogate)");
            }
        }
        return Optional.empty();
    }

    /**
     * A bounded integer parameter: its default when absent.
     *
     * @throws BadParameter naming the parameter when it is not a number from {@code min} to {@code max}
     */
    public static int integer(String name, String value, int fallback, int min, int max) {
        return (int) whole(name, value, fallback, min, max);
    }

    /** As {@link #integer}, for a long. */
    public static long whole(String name, String value, long fallback, long min, long max) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below, like a number out of range
        }
        throw new BadParameter(name + " must be a whole number from " + min + " to " + max);
    }
}
