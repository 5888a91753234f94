package dev.drydock.registry.auth;

import java.time.Duration;

/** Credentials that were wrong, missing where required, or tried too often. */
public class AuthenticationFailed extends RuntimeException {

    private final Duration retryAfter;

    public AuthenticationFailed(String message) {
        this(message, null);
    }

    public AuthenticationFailed(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** Set when the caller is throttled (429) rather than wrong (401). */
    public Duration retryAfter() {
        return retryAfter;
    }

    public int status() {
        return retryAfter == null ? 401 : 429;
    }
}
