package dev.drydock.oci.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerTest {

    @Test
    void theSchemeIsMatchedInAnyCaseAndTheTokenTrimmed() {
        assertEquals(Optional.of("abc.def"), Bearer.token("Bearer abc.def"));
        assertEquals(Optional.of("abc.def"), Bearer.token("bearer  abc.def "));
        assertEquals(Optional.of("abc.def"), Bearer.token("BEARER abc.def"));
        assertEquals("Bearer abc.def", Bearer.header("abc.def"));
    }

    @Test
    void anythingElseHasNoBearerToken() {
        assertEquals(Optional.empty(), Bearer.token(null));
        assertEquals(Optional.empty(), Bearer.token(""));
        assertEquals(Optional.empty(), Bearer.token("Bearer"));
        assertEquals(Optional.empty(), Bearer.token("Basic YWRtaW46c2VjcmV0"));
        assertEquals(Optional.empty(), Bearer.token("Bearerabc"));
        assertEquals(Optional.empty(), Bearer.token(" Bearer abc"));
    }
}
