package dev.drydock.registry.identity;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.Spelled;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A member's or a team's role in an organisation, weakest first. */
public enum Role implements Spelled {
    /** In the organisation, with access only through its teams (Docker Hub's plain member). */
    MEMBER,
    READ,
    WRITE,
    ADMIN;

    @JsonValue
    @Override
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String value) {
        return Spelled.parse(Role.class, value);
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
    public static class Stored extends Spelled.AsText<Role> {
        public Stored() {
            super(Role.class);
        }
    }
}
