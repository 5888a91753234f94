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
 * Slows down password guessing: after {@value #MAX_FAILURES} failed sign-ins for one user name,
 * or {@code drydock.registry.login-failures-per-address} (30) from one client address (many users may share one),
 * within {@link #WINDOW}, further attempts are refused until the oldest failure leaves the
 * window. Kept per instance, in memory.
 */
@ApplicationScoped
public class LoginThrottle {

    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(5);

    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final int maxFailuresPerAddress;

    @Inject
    LoginThrottle(RegistryConfig config) {
        this(config.loginFailuresPerAddress());
    }

    LoginThrottle(int maxFailuresPerAddress) {
        this.maxFailuresPerAddress = maxFailuresPerAddress;
    }

    /** How long the caller must wait, if they must. */
    public Optional<Duration> retryAfter(String username, String clientAddress) {
        Instant now = Instant.now();
        return later(wait("user:" + username, MAX_FAILURES, now), wait("addr:" + clientAddress, maxFailuresPerAddress, now));
    }

    public void failed(String username, String clientAddress) {
        Instant now = Instant.now();
        record("user:" + username, MAX_FAILURES, now);
        record("addr:" + clientAddress, maxFailuresPerAddress, now);
    }

    public void succeeded(String username) {
        failures.remove("user:" + username);
    }

    private void record(String key, int limit, Instant now) {
        failures.compute(key, (k, times) -> {
            Deque<Instant> kept = times == null ? new ArrayDeque<>() : times;
            kept.addLast(now);
            while (kept.size() > limit) {
                kept.removeFirst();
            }
            return kept;
        });
    }

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
            return Optional.of(Duration.between(now, times.peekFirst().plus(WINDOW)));
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
