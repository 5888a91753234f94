package dev.drydock.registry;

import jakarta.persistence.AttributeConverter;
import java.util.Optional;

/**
 * An enum whose constants have one spelling in the API, the events and the database
 * ({@code read-write}, {@code private}): parsed exactly, anything else refused, stored as text.
 */
public interface Spelled {

    String value();

    /** The constant of that spelling; empty for anything else, {@code null} included. */
    static <E extends Enum<E> & Spelled> Optional<E> parse(Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.value().equals(value)) {
                return Optional.of(constant);
            }
        }
        return Optional.empty();
    }

    /** The column's text is the spelling; a spelling the enum does not know fails the read. */
    abstract class AsText<E extends Enum<E> & Spelled> implements AttributeConverter<E, String> {

        private final Class<E> type;

        protected AsText(Class<E> type) {
            this.type = type;
        }

        @Override
        public String convertToDatabaseColumn(E constant) {
            return constant == null ? null : constant.value();
        }

        @Override
        public E convertToEntityAttribute(String value) {
            return value == null
                    ? null
                    : parse(type, value)
                            .orElseThrow(() ->
                                    new IllegalStateException("no " + type.getSimpleName() + " is spelled " + value));
        }
    }
}
