package dev.drydock.portal;

import io.quarkus.qute.TemplateExtension;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How pages write values: times as {@code 2026-11-27 08:57 UTC}. */
@TemplateExtension
public final class TemplateFormats {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private TemplateFormats() {
    }

    static String pretty(Instant instant) {
        return instant == null ? "" : WHEN.format(instant);
    }
}
