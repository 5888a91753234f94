package dev.drydock.portal;

import io.quarkus.qute.TemplateExtension;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How pages write values: times as {@code 2026-11-27 08:57 UTC}, sizes as {@code 2.4 MB}. */
@TemplateExtension
public final class TemplateFormats {

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private TemplateFormats() {}

    static String pretty(Instant instant) {
        return instant == null ? "" : WHEN.format(instant);
    }

    /** Sizes as people read them: {@code 2.4 MB} (powers of 1000, as Docker Hub shows them). */
    static String bytes(Number size) {
        if (size == null) {
            return "";
        }
        double value = size.doubleValue();
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? size.longValue() + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
