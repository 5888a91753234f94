package dev.drydock.registry.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.RegistryConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registry tokens as distribution's token spec has them: ES256 JWTs whose {@code access} claim
 * lists what the bearer may do. The signing key pair is generated on first start and kept in the
 * database, so every instance signs and verifies with the same keys; the public half is served
 * as a JWKS for other services.
 */
@ApplicationScoped
public class RegistryTokens {

    private final AgroalDataSource dataSource;
    private final RegistryConfig config;
    private final Map<String, ECKey> keys = new ConcurrentHashMap<>();
    private volatile ECKey signingKey;
    private final RegistryToken.Cache verified = new RegistryToken.Cache();

    RegistryTokens(AgroalDataSource dataSource, RegistryConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    void loadKeys(@Observes StartupEvent startup) throws SQLException, JOSEException, ParseException {
        if (readKeys().isEmpty()) {
            ECKey generated = new ECKeyGenerator(Curve.P_256)
                    .keyID(UUID.randomUUID().toString())
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
            try (Connection c = dataSource.getConnection();
                    PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO signing_key (kid, jwk) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM signing_key)")) {
                insert.setString(1, generated.getKeyID());
                insert.setString(2, generated.toJSONString());
                insert.executeUpdate();
            }
            readKeys();
        }
    }

    private List<ECKey> readKeys() throws SQLException, ParseException {
        List<ECKey> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT jwk FROM signing_key ORDER BY created_at DESC, kid")) {
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(ECKey.parse(rs.getString(1)));
                }
            }
        }
        found.forEach(key -> keys.put(key.getKeyID(), key));
        if (!found.isEmpty()) {
            signingKey = found.get(0);
        }
        return found;
    }

    /** A token for {@code purpose} (not a session: see {@link #issueSession}). */
    public String issue(
            RegistryToken.Purpose purpose,
            String subject,
            UUID tokenId,
            List<RegistryToken.Access> access,
            Instant expiresAt) {
        return issue(purpose, subject, tokenId, null, access, expiresAt);
    }

    /**
     * A token derived from a sign-in ({@code sessionId}, the refresh token's id) or a personal
     * access token ({@code tokenId}): every verifier refuses it once that origin is revoked.
     */
    public String issue(
            RegistryToken.Purpose purpose,
            String subject,
            UUID tokenId,
            UUID sessionId,
            List<RegistryToken.Access> access,
            Instant expiresAt) {
        return issue(purpose, subject, tokenId, sessionId, access, expiresAt, Instant.now());
    }

    /**
     * As above, saying that what it grants was decided at {@code decidedAt} (its {@link
     * RegistryToken#ISSUED_MILLIS_CLAIM}): the moment before the permissions it lists were read, or
     * the moment of the token it is derived from. Access withdrawn after that moment ends it
     * ({@link dev.drydock.oci.token.AccessWithdrawal}), however long the reading or signing took.
     */
    public String issue(
            RegistryToken.Purpose purpose,
            String subject,
            UUID tokenId,
            UUID sessionId,
            List<RegistryToken.Access> access,
            Instant expiresAt,
            Instant decidedAt) {
        if (purpose == RegistryToken.Purpose.SESSION) {
            throw new IllegalArgumentException("session tokens name their sign-in: use issueSession");
        }
        return sign(purpose, subject, tokenId, sessionId, access, expiresAt, decidedAt);
    }

    /** A session's access token for the REST API: it grants no repository access and dies with its sign-in. */
    public String issueSession(String subject, UUID tokenId, UUID sessionId, Instant expiresAt) {
        return sign(RegistryToken.Purpose.SESSION, subject, tokenId, sessionId, List.of(), expiresAt, Instant.now());
    }

    private String sign(
            RegistryToken.Purpose purpose,
            String subject,
            UUID tokenId,
            UUID sessionId,
            List<RegistryToken.Access> access,
            Instant expiresAt,
            Instant decidedAt) {
        Instant now = Instant.now();
        List<Map<String, Object>> claim = new ArrayList<>();
        for (RegistryToken.Access a : access) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", a.type());
            entry.put("name", a.name());
            entry.put("actions", a.actions());
            claim.add(entry);
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(RegistryToken.ISSUER)
                .subject(subject == null ? "" : subject)
                .audience(config.tokenService())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .jwtID(UUID.randomUUID().toString())
                .claim(RegistryToken.ISSUED_MILLIS_CLAIM, decidedAt.toEpochMilli())
                .claim("access", claim);
        claims.claim(RegistryToken.PURPOSE_CLAIM, purpose.claim());
        if (tokenId != null) {
            claims.claim("pat", tokenId.toString());
        }
        if (sessionId != null) {
            claims.claim(RegistryToken.SESSION_CLAIM, sessionId.toString());
        }
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(signingKey.getKeyID())
                            .type(JOSEObjectType.JWT)
                            .build(),
                    claims.build());
            jwt.sign(new ECDSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a registry token", e);
        }
    }

    /** The token's claims if it is one of ours, signed with ES256, for this service, and current. */
    public Optional<RegistryToken> verify(String token) {
        return verified.verify(token, config.tokenService(), kid -> Optional.ofNullable(keys.get(kid)));
    }

    public JWKSet publicKeys() {
        return new JWKSet(
                keys.values().stream().map(key -> (JWK) key.toPublicJWK()).toList());
    }
}
