package dev.drydock.audit.access;

import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.TestSigner;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Viewer tokens as the front door mints them, signed by {@link TestSigner}, whose public key is
 * published where the test profile's {@code drydock.audit.jwks-url} points.
 */
public final class ViewerTokens {

    private ViewerTokens() {}

    /** {@code Authorization} header value for a viewer with these access entries (type, name, action). */
    public static String bearer(String username, List<Map<String, Object>> access) {
        return "Bearer " + TestSigner.sign(username, RegistryToken.Purpose.VIEWER, access, Duration.ofSeconds(120));
    }

    public static Map<String, Object> grant(String type, String name, String action) {
        return TestSigner.grant(type, name, action);
    }

    /** A platform admin: every namespace and the whole audit log. */
    public static String admin() {
        return bearer("admin", List.of(grant("namespace", "*", "pull"), grant("audit", "*", "read")));
    }

    public static String anonymous() {
        return bearer("", List.of());
    }
}
