package dev.drydock.oci.http;

import java.util.Optional;

/** The {@code Bearer} scheme of an {@code Authorization} header (RFC 6750), read and written the same way by every service. */
public final class Bearer {

    private static final String SCHEME = "Bearer ";

    private Bearer() {}

    /** The token of a {@code Bearer} header (the scheme in any case, the token trimmed); empty for anything else. */
    public static Optional<String> token(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        return Optional.of(authorization.substring(SCHEME.length()).trim());
    }

    /** The header value carrying {@code token}. */
    public static String header(String token) {
        return SCHEME + token;
    }
}
