package dev.drydock.registry.repository;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.drydock.registry.Spelled;
import jakarta.persistence.Converter;
import java.util.Locale;
import java.util.Optional;

/** Who may pull a repository: anyone, or only those granted it. */
public enum Visibility implements Spelled {
    PUBLIC,
    PRIVATE;

    @JsonValue
    @Override
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Visibility> parse(String value) {
        return Spelled.parse(Visibility.class, value);
    }

    /** A spelling the database holds (its check constraint allows no other). */
    static Visibility stored(String value) {
        return parse(value).orElseThrow(() -> new IllegalStateException("no visibility is spelled " + value));
    }

    @Converter
    public static class Stored extends Spelled.AsText<Visibility> {
        public Stored() {
            super(Visibility.class);
        }
    }
}
