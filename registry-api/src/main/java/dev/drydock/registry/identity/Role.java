package dev.drydock.registry.identity;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.drydock.oci.token.Action;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A member's or a team's role in an organisation, weakest first. */
public enum Role {
    /** In the organisation, with access only through its teams (Docker Hub's plain member). */
    MEMBER,
    READ,
    WRITE,
    ADMIN;

    /** The role as the API, the events and the database spell it. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role of that spelling; empty for anything else, {@code null} included. */
    public static Optional<Role> parse(String value) {
        for (Role role : values()) {
            if (role.value().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /** What the role allows on the repositories it holds on; a plain member's role by itself allows nothing. */
    public Set<Action> actions() {
        return switch (this) {
            case MEMBER -> EnumSet.noneOf(Action.class);
            case READ -> EnumSet.of(Action.PULL);
            case WRITE -> EnumSet.of(Action.PULL, Action.PUSH);
            case ADMIN -> EnumSet.allOf(Action.class);
        };
    }

    public Role strongest(Role other) {
        return other == null || compareTo(other) >= 0 ? this : other;
    }

    @Converter
    public static class Column implements AttributeConverter<Role, String> {
        @Override
        public String convertToDatabaseColumn(Role role) {
            return role == null ? null : role.value();
        }

        @Override
        public Role convertToEntityAttribute(String value) {
            return value == null ? null : parse(value).orElseThrow(() -> new IllegalStateException("role " + value));
        }
    }
}
