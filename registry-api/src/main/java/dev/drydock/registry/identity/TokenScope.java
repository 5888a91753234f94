package dev.drydock.registry.identity;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.drydock.oci.token.Action;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a personal access token may do at most, as Docker Hub's scopes name it. */
public enum TokenScope {
    READ("read", EnumSet.of(Action.PULL)),
    READ_WRITE("read-write", EnumSet.of(Action.PULL, Action.PUSH)),
    READ_WRITE_DELETE("read-write-delete", EnumSet.allOf(Action.class));

    private final String value;
    private final Set<Action> cap;

    TokenScope(String value, Set<Action> cap) {
        this.value = value;
        this.cap = cap;
    }

    /** The scope as the API, the events and the database spell it. */
    @JsonValue
    public String value() {
        return value;
    }

    public Set<Action> cap() {
        return EnumSet.copyOf(cap);
    }

    /** The scope of that spelling; empty for anything else, {@code null} included. */
    public static Optional<TokenScope> parse(String value) {
        for (TokenScope scope : values()) {
            if (scope.value.equals(value)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }

    @Converter
    public static class Column implements AttributeConverter<TokenScope, String> {
        @Override
        public String convertToDatabaseColumn(TokenScope scope) {
            return scope == null ? null : scope.value();
        }

        @Override
        public TokenScope convertToEntityAttribute(String value) {
            return value == null
                    ? null
                    : parse(value).orElseThrow(() -> new IllegalStateException("token scope " + value));
        }
    }
}
