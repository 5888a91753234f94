package dev.drydock.portal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SessionSealTest {

    private static final String COOKIE = Sessions.randomToken();
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.refresh-token-of-a-user";

    @Test
    void aSealedTokenOpensWithItsCookieOnly() throws GeneralSecurityException {
        String sealed = SessionSeal.seal(COOKIE, SessionSeal.Kind.REFRESH, TOKEN);
        assertEquals(TOKEN, SessionSeal.open(COOKIE, SessionSeal.Kind.REFRESH, sealed));
        assertThrows(
                GeneralSecurityException.class,
                () -> SessionSeal.open(Sessions.randomToken(), SessionSeal.Kind.REFRESH, sealed));
        assertThrows(
                GeneralSecurityException.class,
                () -> SessionSeal.open(COOKIE, SessionSeal.Kind.ACCESS, sealed),
                "a refresh token moved into the access token's column");
        assertThrows(
                GeneralSecurityException.class,
                () -> SessionSeal.open(COOKIE, SessionSeal.Kind.REFRESH, "not base64!"));
    }

    @Test
    void theStoredFormShowsNeitherTheTokenNorTheCookie() {
        String sealed = SessionSeal.seal(COOKIE, SessionSeal.Kind.REFRESH, TOKEN);
        assertFalse(sealed.contains("eyJ"), sealed);
        assertFalse(sealed.contains(COOKIE), sealed);
        assertFalse(sealed.contains(SessionSeal.idHash(COOKIE)), sealed);
        assertNotEquals(sealed, SessionSeal.seal(COOKIE, SessionSeal.Kind.REFRESH, TOKEN), "a fresh nonce each time");
    }

    @Test
    void anAlteredOrTruncatedSealIsRefused() {
        byte[] bytes = Base64.getDecoder().decode(SessionSeal.seal(COOKIE, SessionSeal.Kind.REFRESH, TOKEN));
        bytes[bytes.length - 1] ^= 1;
        assertThrows(
                GeneralSecurityException.class,
                () -> SessionSeal.open(
                        COOKIE, SessionSeal.Kind.REFRESH, Base64.getEncoder().encodeToString(bytes)));
        assertThrows(GeneralSecurityException.class, () -> SessionSeal.open(COOKIE, SessionSeal.Kind.REFRESH, "AAAA"));
    }
}
