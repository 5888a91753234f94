package dev.drydock.registry.identity;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.Spelled;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a personal access token may do at most, as Docker Hub's scopes name it. */
public enum TokenScope implements Spelled {
    READ("read", EnumSet.of(Action.PULL)),
    READ_WRITE("read-write", EnumSet.of(Action.PULL, Action.PUSH)),
    READ_WRITE_DELETE("read-write-delete", EnumSet.allOf(Action.class));

    private final String value;
    private final Set<Action> cap;

    TokenScope(String value, Set<Action> cap) {
        this.value = value;
        this.cap = cap;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    public Set<Action> cap() {
        return EnumSet.copyOf(cap);
    }

    public static Optional<TokenScope> parse(String value) {
        return Spelled.parse(TokenScope.class, value);
    }

    @Converter
    public static class Stored extends Spelled.AsText<TokenScope> {
        public Stored() {
            super(TokenScope.class);
        }
    }
}
