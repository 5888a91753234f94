package dev.drydock.oci.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress loopbackOnly = ClientAddress.loopbackOnly();

    @Test
    void aClientCannotNameItselfAnotherAddress() {
        assertEquals("198.51.100.7", loopbackOnly.of("198.51.100.7", "203.0.113.66"));
    }

    @Test
    void behindTheFrontDoorTheRightMostUntrustedAddressIsTheClientNotTheFirst() {
        // what the front door used to forward: the client's own header, then the real peer appended
        assertEquals("198.51.100.7", loopbackOnly.of("127.0.0.1", "203.0.113.66, 198.51.100.7"));
        assertEquals("198.51.100.7", loopbackOnly.of("::1", "203.0.113.66, 198.51.100.7, 127.0.0.1"));
    }

    @Test
    void configuredProxiesAreWalkedPastAndGarbageStopsTheWalk() {
        ClientAddress ingress = new ClientAddress(List.of("10.0.0.0/8"));
        assertEquals("198.51.100.7", ingress.of("10.1.2.3", "203.0.113.66, 198.51.100.7, 10.9.9.9"));
        assertEquals("10.1.2.3", ingress.of("10.1.2.3", "evil.example"));
        assertTrue(ingress.isTrusted("10.200.0.1"));
        assertFalse(ingress.isTrusted("11.0.0.1"));
        assertFalse(ingress.isTrusted("localhost.evil"), "names are never resolved, never trusted");
    }

    @Test
    void textWithControlCharactersIsRefusedButLineBreaksAreNot() {
        assertTrue(TextInput.problem("a\u0000b").isPresent());
        assertTrue(TextInput.problem("a\u001bb").isPresent());
        assertTrue(TextInput.problem("# README\n\n\tindented\r\n").isEmpty());
        assertEquals(5, TextInput.integer("n", "5", 10, 0, 100));
        assertEquals(10, TextInput.integer("n", null, 10, 0, 100));
        for (String bad : List.of("abc", "-1", "99999999999999999999", "101")) {
            BadParameter refused = org.junit.jupiter.api.Assertions.assertThrows(
                    BadParameter.class, () -> TextInput.integer("n", bad, 10, 0, 100));
            assertTrue(refused.getMessage().startsWith("n "));
        }
    }
}
