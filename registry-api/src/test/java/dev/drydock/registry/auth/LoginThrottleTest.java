package dev.drydock.registry.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The throttle's rule by itself: per user name, and per client address across user names. */
class LoginThrottleTest {

    @Test
    void failuresFromOneAddressAcrossUserNamesStopEveryoneThere() {
        LoginThrottle throttle = new LoginThrottle(3);
        for (String user : new String[] {"ann", "bob", "cy"}) {
            assertTrue(throttle.retryAfter(user, "10.0.0.1").isEmpty());
            throttle.failed(user, "10.0.0.1");
        }
        assertTrue(throttle.retryAfter("dee", "10.0.0.1").isPresent(), "a fourth user at that address waits");
        assertTrue(throttle.retryAfter("dee", "10.0.0.2").isEmpty(), "another address does not");
    }

    @Test
    void failuresForOneUserNameStopThatNameFromAnyAddress() {
        LoginThrottle throttle = new LoginThrottle(1000);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            throttle.failed("eve", "10.0.1." + i);
        }
        assertTrue(throttle.retryAfter("eve", "10.0.2.1").isPresent());
        throttle.succeeded("eve");
        assertTrue(throttle.retryAfter("eve", "10.0.2.1").isEmpty(), "a success clears the name's failures");
    }
}
