package dev.drydock.portal.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the portal keeps of a session's cookie: its SHA-256 as the row's id, and a key derived from
 * it (SHA-256 of a label and the cookie) that seals the session's platform tokens with AES-GCM.
 * The cookie itself is never stored, so the table alone opens nothing.
 */
final class SessionSeal {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private SessionSeal() {}

    static String idHash(String cookie) {
        return HexFormat.of().formatHex(sha256(cookie.getBytes(StandardCharsets.UTF_8)));
    }

    /** Which of a session's tokens a sealed value is: bound into it, so that the two cannot be swapped. */
    enum Kind {
        ACCESS,
        REFRESH
    }

    static String seal(String cookie, Kind kind, String plain) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, cookie, kind, nonce);
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a session token", e);
        }
    }

    /** The plain token; throws when {@code sealed} was not sealed for this cookie (or was altered). */
    static String open(String cookie, Kind kind, String sealed) throws GeneralSecurityException {
        byte[] in;
        try {
            in = Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("a sealed token that is not base64", e);
        }
        if (in.length <= NONCE_BYTES) {
            throw new GeneralSecurityException("a sealed token too short to be one");
        }
        Cipher cipher = cipher(Cipher.DECRYPT_MODE, cookie, kind, Arrays.copyOf(in, NONCE_BYTES));
        return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    }

    private static Cipher cipher(int mode, String cookie, Kind kind, byte[] nonce) throws GeneralSecurityException {
        byte[] key = sha256(("drydock-portal-session-seal\0" + cookie).getBytes(StandardCharsets.UTF_8));
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(kind.name().getBytes(StandardCharsets.US_ASCII));
        return cipher;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
