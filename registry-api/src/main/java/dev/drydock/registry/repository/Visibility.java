package dev.drydock.registry.repository;

import com.fasterxml.jackson.annotation.JsonValue;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.Locale;
import java.util.Optional;

/** Who may pull a repository: anyone, or only those granted it. */
public enum Visibility {
    PUBLIC,
    PRIVATE;

    /** The visibility as the API, the events and the database spell it. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The visibility of that spelling; empty for anything else, {@code null} included. */
    public static Optional<Visibility> parse(String value) {
        for (Visibility visibility : values()) {
            if (visibility.value().equals(value)) {
                return Optional.of(visibility);
            }
        }
        return Optional.empty();
    }

    /** A spelling the database holds (its check constraint allows no other). */
    static Visibility stored(String value) {
        return parse(value).orElseThrow(() -> new IllegalStateException("visibility " + value));
    }

    @Converter
    public static class Column implements AttributeConverter<Visibility, String> {
        @Override
        public String convertToDatabaseColumn(Visibility visibility) {
            return visibility == null ? null : visibility.value();
        }

        @Override
        public Visibility convertToEntityAttribute(String value) {
            return value == null ? null : stored(value);
        }
    }
}
