package dev.drydock.registry.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The throttle's rule by itself: per (user, address), per address, per user across addresses; tokens apart. */
class LoginThrottleTest {

    /** An attempt that failed: taken, never given back. */
    private static boolean fail(LoginThrottle throttle, String user, String address) {
        return throttle.attempt(user, address, true).isEmpty();
    }

    @Test
    void failuresFromOneAddressAcrossUserNamesStopEveryoneThere() {
        LoginThrottle throttle = new LoginThrottle(3);
        for (String user : new String[] {"ann", "bob", "cy"}) {
            assertTrue(fail(throttle, user, "10.0.0.1"));
        }
        assertTrue(throttle.attempt("dee", "10.0.0.1", true).isPresent(), "a fourth user at that address waits");
        assertTrue(throttle.attempt("dee", "10.0.0.2", true).isEmpty(), "another address does not");
    }

    @Test
    void aStrangerGuessingFromOneAddressDoesNotLockTheUserOutElsewhere() {
        LoginThrottle throttle = new LoginThrottle(1000);
        for (int i = 0; i < 40; i++) {
            throttle.attempt("admin", "203.0.113.9", true);
        }
        assertTrue(throttle.attempt("admin", "203.0.113.9", true).isPresent(), "the guesser backs off");
        assertTrue(throttle.attempt("admin", "10.0.2.1", true).isEmpty(), "the admin at their own address does not");
        assertTrue(
                throttle.attempt("admin", "203.0.113.9", false).isEmpty(),
                "nor do the admin's tokens, even from there");
    }

    @Test
    void attemptsCountBeforeTheSecretIsCheckedSoParallelOnesCannotAllPass() {
        LoginThrottle throttle = new LoginThrottle(1000);
        int let = 0;
        for (int i = 0; i < 50; i++) { // fifty attempts in flight at once: none has failed yet
            if (throttle.attempt("gus", "198.51.100.1", true).isEmpty()) {
                let++;
            }
        }
        assertTrue(let == LoginThrottle.MAX_FAILURES, "only " + LoginThrottle.MAX_FAILURES + " may run, not " + let);
    }

    @Test
    void manyAddressesGuessingOneNameHoldBackUnknownAddressesForPasswordsOnly() {
        LoginThrottle throttle = new LoginThrottle(1000);
        assertTrue(throttle.attempt("eve", "10.8.8.8", true).isEmpty());
        throttle.succeeded("eve", "10.8.8.8", true); // eve's own laptop
        for (int i = 0; i < LoginThrottle.MAX_FAILURES_PER_USER; i++) {
            fail(throttle, "eve", "10.0." + (i / 250) + "." + (i % 250));
        }
        assertTrue(throttle.attempt("eve", "10.9.9.9", true).isPresent(), "a new address backs off");
        assertFalse(throttle.attempt("eve", "10.9.9.9", false).isPresent(), "personal access tokens still work");
        assertTrue(throttle.attempt("eve", "10.8.8.8", true).isEmpty(), "where eve signed in before, she still can");
    }

    @Test
    void aSuccessClearsThatAddresssFailuresForTheName() {
        LoginThrottle throttle = new LoginThrottle(1000);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            fail(throttle, "fay", "10.0.3.1");
        }
        assertTrue(throttle.attempt("fay", "10.0.3.1", true).isPresent());
        throttle.succeeded("fay", "10.0.3.1", true);
        assertTrue(throttle.attempt("fay", "10.0.3.1", true).isEmpty());
    }
}
