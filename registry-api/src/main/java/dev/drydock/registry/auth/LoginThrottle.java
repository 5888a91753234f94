package dev.drydock.registry.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.drydock.registry.RegistryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Slows down password guessing without handing strangers a way to lock people out. Failures are
 * counted within {@link #WINDOW} per (user name, client address), per client address across user
 * names ({@code drydock.registry.login-failures-per-address}, 30), and per user name across
 * addresses ({@value #MAX_FAILURES_PER_USER}, more than one address can reach alone). Past a
 * limit the caller backs off — five seconds, doubling with each further failure, at most the window
 * — rather than being locked out for it. Personal access tokens are not guessable (256 random
 * bits), so password failures for a name never hold back its tokens; tokens count only against
 * the address they are tried from. A (user, address) that signed in within 30 days is not held
 * back by the per-name count. Sessions and refresh tokens do not pass here at all. Attempts are
 * counted before the secret is checked, so parallel ones cannot slip through. Kept per instance,
 * in memory, in bounded caches.
 */
@ApplicationScoped
public class LoginThrottle {

    /** Failures of one user name from one address before that pair backs off. */
    static final int MAX_FAILURES = 5;
    /** Failures of one user name from all addresses before the name backs off for passwords. */
    static final int MAX_FAILURES_PER_USER = 100;

    static final Duration WINDOW = Duration.ofMinutes(5);
    /** How long a (user, address) that signed in stays exempt from the per-name limit. */
    static final Duration TRUSTED_FOR = Duration.ofDays(30);

    private static final int MAX_KEYS = 100_000;

    /** Times of recent attempts that have not (yet) succeeded, per key; entries expire with the window. */
    private final Cache<String, Deque<Instant>> failures = Caffeine.newBuilder()
            .maximumSize(MAX_KEYS)
            .expireAfterAccess(WINDOW)
            .build();
    /** (user, address) pairs that signed in lately: strangers' failures for the name do not hold them back. */
    private final Cache<String, Boolean> knownGood = Caffeine.newBuilder()
            .maximumSize(MAX_KEYS)
            .expireAfterWrite(TRUSTED_FOR)
            .build();

    private final int maxFailuresPerAddress;

    @Inject
    LoginThrottle(RegistryConfig config) {
        this(config.loginFailuresPerAddress());
    }

    LoginThrottle(int maxFailuresPerAddress) {
        this.maxFailuresPerAddress = maxFailuresPerAddress;
    }

    /**
     * Takes an attempt: the wait it must do first if it may not go on now; otherwise it is counted
     * as a failure at once — before the (slow) check of the secret, so that attempts sent in
     * parallel cannot all pass — until {@link #succeeded} takes it back.
     *
     * @param password false for a personal access token
     */
    public Optional<Duration> attempt(String username, String clientAddress, boolean password) {
        Instant now = Instant.now();
        Optional<Duration> wait = wait("addr:" + clientAddress, maxFailuresPerAddress, now);
        if (password) {
            wait = later(wait, wait(pair(username, clientAddress), MAX_FAILURES, now));
            if (knownGood.getIfPresent(pair(username, clientAddress)) == null) {
                wait = later(wait, wait("user:" + username, MAX_FAILURES_PER_USER, now));
            }
        }
        if (wait.isEmpty()) {
            record("addr:" + clientAddress, now);
            if (password) {
                record(pair(username, clientAddress), now);
                record("user:" + username, now);
            }
        }
        return wait;
    }

    /** The attempt succeeded: it is taken back, the pair's failures are forgotten and the pair is known good. */
    public void succeeded(String username, String clientAddress, boolean password) {
        forgetLast("addr:" + clientAddress);
        if (password) {
            forgetLast("user:" + username);
            failures.invalidate(pair(username, clientAddress));
            knownGood.put(pair(username, clientAddress), true);
        }
    }

    private static String pair(String username, String clientAddress) {
        return "pair:" + username + "\n" + clientAddress;
    }

    private void record(String key, Instant now) {
        Deque<Instant> times = failures.get(key, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            times.removeIf(t -> t.plus(WINDOW).isBefore(now));
        }
    }

    private void forgetLast(String key) {
        Deque<Instant> times = failures.getIfPresent(key);
        if (times != null) {
            synchronized (times) {
                times.pollLast();
            }
        }
    }

    /** Past {@code limit} failures in the window: a wait of 5 s × 2^(excess) after the last one, capped at the window. */
    private Optional<Duration> wait(String key, int limit, Instant now) {
        Deque<Instant> times = failures.getIfPresent(key);
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
