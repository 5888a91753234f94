package dev.drydock.audit.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Viewer tokens as the front door mints them, signed with a key of the tests' own whose public
 * half is published where the test profile's {@code drydock.audit.jwks-url} points.
 */
public final class ViewerTokens {

    private static final ECKey KEY = generate();

    private ViewerTokens() {}

    /** {@code Authorization} header value for a viewer with these access entries (type, name, action). */
    public static String bearer(String username, List<Map<String, Object>> access) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("drydock")
                .audience("drydock")
                .subject(username)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(120)))
                .jwtID(UUID.randomUUID().toString())
                .claim("access", access)
                .claim("purpose", "viewer")
                .build();
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(KEY.getKeyID())
                            .build(),
                    claims);
            jwt.sign(new ECDSASigner(KEY));
            return "Bearer " + jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, Object> grant(String type, String name, String action) {
        return Map.of("type", type, "name", name, "actions", List.of(action));
    }

    /** A platform admin: every namespace and the whole audit log. */
    public static String admin() {
        return bearer("admin", List.of(grant("namespace", "*", "pull"), grant("audit", "*", "read")));
    }

    public static String anonymous() {
        return bearer("", List.of());
    }

    private static ECKey generate() {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256)
                    .keyID("viewer-test-" + UUID.randomUUID())
                    .generate();
            Path jwks = Path.of(System.getProperty("user.dir"), "target", "test-jwks.json");
            Files.createDirectories(jwks.getParent());
            Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
            return key;
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
