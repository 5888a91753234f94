package dev.drydock.layerstore;

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
import dev.drydock.oci.token.RegistryToken;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
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
 * Registry tokens for this service's tests, checked as in production: signed with a key of the
 * tests' own, whose JWKS lies where the test profile's {@code jwks-url} points
 * ({@code target/test-jwks.json}) and is written before the first token is used.
 */
public final class TestTokens {

    /** Every repository the tests push to and read from. */
    private static final List<String> REPOSITORIES = List.of(
            "acme/abandoned",
            "acme/bad",
            "acme/chunks",
            "acme/cutoff",
            "acme/drop",
            "acme/keep",
            "acme/large",
            "acme/many",
            "acme/other",
            "acme/sha512",
            "acme/source",
            "acme/streamed",
            "acme/x");

    private static final String TOKEN = mint();

    private TestTokens() {}

    /** A request carrying a token that may pull, push and delete in every repository the tests use. */
    public static RequestSpecification given() {
        return RestAssured.given().header("Authorization", authorization());
    }

    /** The {@code Authorization} header's value for such a token. */
    public static String authorization() {
        return "Bearer " + TOKEN;
    }

    private static String mint() {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256)
                    .keyID("test-" + UUID.randomUUID())
                    .generate();
            Path jwks = Path.of("target", "test-jwks.json");
            Files.createDirectories(jwks.getParent());
            Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(RegistryToken.ISSUER)
                    .subject("tester")
                    .audience("drydock")
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(Duration.ofHours(2))))
                    .claim(RegistryToken.PURPOSE_CLAIM, RegistryToken.Purpose.REGISTRY.claim())
                    .claim(
                            "access",
                            REPOSITORIES.stream()
                                    .map(name -> Map.of(
                                            "type",
                                            "repository",
                                            "name",
                                            name,
                                            "actions",
                                            List.of("pull", "push", "delete")))
                                    .toList())
                    .build();
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(key.getKeyID())
                            .build(),
                    claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
