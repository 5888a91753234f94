package dev.drydock.registry.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The throttle's rule by itself: per (user, address), per address, per user across addresses; tokens apart. */
class LoginThrottleTest {

    @Test
    void failuresFromOneAddressAcrossUserNamesStopEveryoneThere() {
        LoginThrottle throttle = new LoginThrottle(3);
        for (String user : new String[] {"ann", "bob", "cy"}) {
            assertTrue(throttle.retryAfter(user, "10.0.0.1", true).isEmpty());
            throttle.failed(user, "10.0.0.1", true);
        }
        assertTrue(throttle.retryAfter("dee", "10.0.0.1", true).isPresent(), "a fourth user at that address waits");
        assertTrue(throttle.retryAfter("dee", "10.0.0.2", true).isEmpty(), "another address does not");
    }

    @Test
    void aStrangerGuessingFromOneAddressDoesNotLockTheUserOutElsewhere() {
        LoginThrottle throttle = new LoginThrottle(1000);
        for (int i = 0; i < 40; i++) {
            throttle.failed("admin", "203.0.113.9", true);
        }
        assertTrue(throttle.retryAfter("admin", "203.0.113.9", true).isPresent(), "the guesser backs off");
        assertTrue(throttle.retryAfter("admin", "10.0.2.1", true).isEmpty(), "the admin at their own address does not");
        assertTrue(throttle.retryAfter("admin", "203.0.113.9", false).isEmpty(), "nor do the admin's tokens, even from there");
    }

    @Test
    void manyAddressesGuessingOneNameMakeItBackOffForPasswordsOnly() {
        LoginThrottle throttle = new LoginThrottle(1000);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES_PER_USER; i++) {
            throttle.failed("eve", "10.0." + (i / 250) + "." + (i % 250), true);
        }
        assertTrue(throttle.retryAfter("eve", "10.9.9.9", true).isPresent());
        assertFalse(throttle.retryAfter("eve", "10.9.9.9", false).isPresent(), "personal access tokens still work");
    }

    @Test
    void aSuccessClearsThatAddresssFailuresForTheName() {
        LoginThrottle throttle = new LoginThrottle(1000);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            throttle.failed("fay", "10.0.3.1", true);
        }
        assertTrue(throttle.retryAfter("fay", "10.0.3.1", true).isPresent());
        throttle.succeeded("fay", "10.0.3.1");
        assertTrue(throttle.retryAfter("fay", "10.0.3.1", true).isEmpty());
    }
}
