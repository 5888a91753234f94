package dev.drydock.events;

import java.time.Instant;
import java.util.List;

/**
 * Events about accounts, sign-ins, tokens and organisations, keyed by the user (or the
 * organisation) they are about. None of them ever carries a password or a token secret.
 */
public final class IdentityEvents {

    private IdentityEvents() {}

    public record UserRegistered(String username) implements EventData {
        public String subject() {
            return username;
        }
    }

    /** @param method {@code password}, {@code token} (a personal access token) or {@code refresh_token} */
    public record LoggedIn(String username, String method) implements EventData {
        public String subject() {
            return username;
        }
    }

    /** @param username the name that was tried, which need not exist */
    public record LoginFailed(String username, String reason) implements EventData {
        public String subject() {
            return username;
        }
    }

    public record LoggedOut(String username) implements EventData {
        public String subject() {
            return username;
        }
    }

    public record TokenCreated(String username, String tokenId, String name, String scope, Instant expiresAt)
            implements EventData {
        public String subject() {
            return username;
        }
    }

    public record TokenRevoked(String username, String tokenId) implements EventData {
        public String subject() {
            return username;
        }
    }

    public record OrganizationCreated(String organization, String owner) implements EventData {
        public String subject() {
            return organization;
        }
    }

    /** @param role {@code read}, {@code write} or {@code admin} on the organisation's repositories */
    public record MemberAdded(String organization, String username, String role) implements EventData {
        public String subject() {
            return organization;
        }
    }

    public record MemberRemoved(String organization, String username) implements EventData {
        public String subject() {
            return organization;
        }
    }

    /**
     * A team was created or changed.
     *
     * @param repositories the repositories the role holds on; empty means all of the organisation's
     */
    public record TeamChanged(
            String organization, String team, String role, List<String> repositories, List<String> members)
            implements EventData {
        public String subject() {
            return organization;
        }
    }
}
