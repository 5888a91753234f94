package dev.drydock.oci;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest as the OCI image spec writes it: {@code algorithm:encoded}. */
public record Digest(String algorithm, String hex) {

    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        boolean valid = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!valid) {
            throw new OciException(ErrorCode.DIGEST_INVALID, "not a sha256 or sha512 digest: " + algorithm + ":" + hex);
        }
    }

    /** @throws OciException DIGEST_INVALID for anything but a well-formed sha256 or sha512 digest */
    public static Digest parse(String text) {
        if (text == null) {
            throw new OciException(ErrorCode.DIGEST_INVALID, "a digest is required");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new OciException(ErrorCode.DIGEST_INVALID, "not a digest: " + text);
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** Parses a digest as it stands in a URL path, where clients may write {@code :} as {@code %3A}. */
    public static Digest parsePathSegment(String segment) {
        try {
            return parse(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new OciException(ErrorCode.DIGEST_INVALID, "not a digest: " + segment);
        }
    }

    public static boolean looksLikeDigest(String reference) {
        return reference.indexOf(':') > 0;
    }

    public static Digest sha256Of(byte[] content) {
        return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(content)));
    }

    public static Digest sha256Of(MessageDigest finishedDigest) {
        return new Digest("sha256", HexFormat.of().formatHex(finishedDigest.digest()));
    }

    public static MessageDigest newSha256() {
        return newMessageDigest("sha256");
    }

    public MessageDigest newMessageDigest() {
        return newMessageDigest(algorithm);
    }

    private static MessageDigest newMessageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    public boolean matches(MessageDigest finishedDigest) {
        return hex.equals(HexFormat.of().formatHex(finishedDigest.digest()));
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
