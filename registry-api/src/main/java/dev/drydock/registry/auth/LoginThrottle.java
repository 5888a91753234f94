package dev.drydock.registry.auth;

import dev.drydock.registry.RegistryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing without handing strangers a way to lock people out. Failures are
 * counted within {@link #WINDOW} per (user name, client address), per client address across user
 * names ({@code drydock.registry.login-failures-per-address}, 30), and per user name across
 * addresses ({@value #MAX_FAILURES_PER_USER}, more than one address can reach alone). Past a
 * limit the caller backs off — five seconds, doubling with each further failure, at most the window
 * — rather than being locked out for it. Personal access tokens are not guessable (256 random
 * bits), so password failures for a name never hold back its tokens; tokens count only against
 * the address they are tried from. Sessions and refresh tokens do not pass here at all. Kept per
 * instance, in memory.
 */
@ApplicationScoped
public class LoginThrottle {

    /** Failures of one user name from one address before that pair backs off. */
    static final int MAX_FAILURES = 5;
    /** Failures of one user name from all addresses before the name backs off for passwords. */
    static final int MAX_FAILURES_PER_USER = 100;
    static final Duration WINDOW = Duration.ofMinutes(5);
    private static final int MAX_KEYS = 100_000;

    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final int maxFailuresPerAddress;

    @Inject
    LoginThrottle(RegistryConfig config) {
        this(config.loginFailuresPerAddress());
    }

    LoginThrottle(int maxFailuresPerAddress) {
        this.maxFailuresPerAddress = maxFailuresPerAddress;
    }

    /** How long the caller must wait, if they must; {@code password} false for a personal access token. */
    public Optional<Duration> retryAfter(String username, String clientAddress, boolean password) {
        Instant now = Instant.now();
        Optional<Duration> wait = wait("addr:" + clientAddress, maxFailuresPerAddress, now);
        if (password) {
            wait = later(wait, later(wait(pair(username, clientAddress), MAX_FAILURES, now),
                    wait("user:" + username, MAX_FAILURES_PER_USER, now)));
        }
        return wait;
    }

    public void failed(String username, String clientAddress, boolean password) {
        Instant now = Instant.now();
        if (failures.size() > MAX_KEYS) {
            failures.clear(); // a flood of made-up names must not exhaust memory
        }
        record("addr:" + clientAddress, now);
        if (password) {
            record(pair(username, clientAddress), now);
            record("user:" + username, now);
        }
    }

    /** A success from an address clears that address's failures for the name. */
    public void succeeded(String username, String clientAddress) {
        failures.remove(pair(username, clientAddress));
    }

    private static String pair(String username, String clientAddress) {
        return "pair:" + username + "\n" + clientAddress;
    }

    private void record(String key, Instant now) {
        failures.compute(key, (k, times) -> {
            Deque<Instant> kept = times == null ? new ArrayDeque<>() : times;
            kept.addLast(now);
            kept.removeIf(t -> t.plus(WINDOW).isBefore(now));
            return kept;
        });
    }

    /** Past {@code limit} failures in the window: a wait of 5 s × 2^(excess) after the last one, capped at the window. */
    private Optional<Duration> wait(String key, int limit, Instant now) {
        Deque<Instant> times = failures.get(key);
        if (times == null) {
            return Optional.empty();
        }
        synchronized (times) {
            times.removeIf(t -> t.plus(WINDOW).isBefore(now));
            if (times.size() < limit) {
                return Optional.empty();
            }
            int excess = Math.min(times.size() - limit, 20);
            Duration backoff = Duration.ofSeconds(5L << excess);
            Instant until = times.peekLast().plus(backoff.compareTo(WINDOW) > 0 ? WINDOW : backoff);
            return until.isAfter(now) ? Optional.of(Duration.between(now, until)) : Optional.empty();
        }
    }

    private static Optional<Duration> later(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().compareTo(b.get()) >= 0 ? a : b;
    }
}
