package dev.drydock.registry.prune;

import dev.drydock.registry.identity.IdentityException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docker's {@code --filter until=}: a duration before now ({@code 24h}, {@code 90m}, {@code 1h30m},
 * {@code 45s}) or an instant ({@code 2026-12-01T00:00:00Z}, or Unix seconds).
 */
final class Until {

    private static final Pattern DURATION = Pattern.compile("^(?:(\\d{1,6})h)?(?:(\\d{1,8})m)?(?:(\\d{1,10})s)?$");
    private static final Pattern UNIX = Pattern.compile("^\\d{1,12}$");

    private Until() {}

    /** The instant meant, or null for none; a 400 naming the accepted forms for anything else. */
    static Instant parse(String text, Instant now) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        Matcher duration = DURATION.matcher(value);
        if (duration.matches() && !value.isEmpty()) {
            Duration ago = Duration.ofHours(number(duration.group(1)))
                    .plusMinutes(number(duration.group(2)))
                    .plusSeconds(number(duration.group(3)));
            return now.minus(ago);
        }
        if (UNIX.matcher(value).matches()) {
            return Instant.ofEpochSecond(Long.parseLong(value));
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IdentityException(
                    400,
                    "until must be a duration such as 24h, 90m or 1h30m, an instant such as "
                            + "2026-12-01T00:00:00Z, or Unix seconds; not " + value,
                    "until");
        }
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }
}
