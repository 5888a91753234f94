package dev.drydock.oci.token;

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
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Registry tokens for the tests of a service that verifies them (layer-store, audit-service),
 * signed as registry-api signs them, with a key of the tests' own: its public half is written to
 * {@code target/test-jwks.json}, where those services' test profiles point their {@code jwks-url}.
 */
public final class TestSigner {

    private static final ECKey KEY = generate();

    private TestSigner() {}

    /** A signed token for service {@code drydock}: its subject, purpose and access entries. */
    public static String sign(
            String subject, RegistryToken.Purpose purpose, List<Map<String, Object>> access, Duration lifetime) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(RegistryToken.ISSUER)
                .audience("drydock")
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim("access", access)
                .claim(RegistryToken.PURPOSE_CLAIM, purpose.claim())
                .build();
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(KEY.getKeyID())
                            .build(),
                    claims);
            jwt.sign(new ECDSASigner(KEY));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An access entry: a type ({@code repository}, {@code namespace}, {@code audit}), a name and actions. */
    public static Map<String, Object> grant(String type, String name, String... actions) {
        return Map.of("type", type, "name", name, "actions", List.of(actions));
    }

    private static ECKey generate() {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256)
                    .keyID("test-" + UUID.randomUUID())
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
