package dev.drydock.oci.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A registry token as distribution's token spec has it: an ES256 JWT whose {@code access} claim
 * lists what its bearer may do. {@code tokenId} names the personal access token it was issued
 * for, if any; {@code sessionId} the sign-in (refresh token) a session token belongs to. Its
 * {@link Purpose} says where it may be used. Verified the same way by every service that receives one.
 */
public record RegistryToken(
        String subject,
        UUID tokenId,
        List<Access> access,
        Instant expiresAt,
        Purpose purpose,
        UUID sessionId,
        Instant issuedAt) {

    public static final String ISSUER = "drydock";
    public static final String PURPOSE_CLAIM = "purpose";
    public static final String SESSION_CLAIM = "sid";
    /**
     * When the token was signed, in milliseconds ({@code iat} has whole seconds): a token is
     * compared with the moment access was withdrawn ({@link AccessWithdrawal}) to the millisecond.
     */
    public static final String ISSUED_MILLIS_CLAIM = "iat_ms";

    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    /**
     * What a token is for; each verifier accepts only its own. A token without a purpose is refused everywhere.
     */
    public enum Purpose {
        /** From {@code /token}: the distribution API ({@code /v2}) at the front door and layer-store. */
        REGISTRY,
        /** In a blob GET's 307 {@code Location}: GET and HEAD of that repository's blobs at layer-store, nothing else. */
        REDIRECT,
        /** Minted by the front door for audit-service's read API. */
        VIEWER,
        /** A signed-in user's session: the portal REST API ({@code /api/v1}); dies with sign-out. */
        SESSION,
        /** Minted by registry-api for a platform admin's garbage collection at layer-store, and for nothing else. */
        STORAGE_ADMIN;

        public String claim() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Purpose of(String claim) {
            for (Purpose purpose : values()) {
                if (purpose.claim().equals(claim)) {
                    return purpose;
                }
            }
            return null;
        }
    }

    /** One entry of the {@code access} claim. */
    public record Access(String type, String name, List<String> actions) {}

    public boolean allows(String repository, Action action) {
        return access.stream()
                .anyMatch(a -> a.type().equals("repository")
                        && a.name().equals(repository)
                        && (a.actions().contains(action.scopeName())
                                || a.actions().contains("*")));
    }

    /**
     * Remembers verified tokens until they expire, so that a client's token is checked (ECDSA,
     * the costliest step of a small request) once and not on every request it makes.
     */
    public static final class Cache {

        private static final int MAX_ENTRIES = 10_000;
        private final ConcurrentHashMap<String, RegistryToken> verified = new ConcurrentHashMap<>();

        public Optional<RegistryToken> verify(String token, String service, Function<String, Optional<ECKey>> keys) {
            RegistryToken known = verified.get(token);
            if (known != null) {
                if (known.expiresAt().plus(CLOCK_SKEW).isAfter(Instant.now())) {
                    return Optional.of(known);
                }
                verified.remove(token);
            }
            Optional<RegistryToken> checked = RegistryToken.verify(token, service, keys);
            checked.ifPresent(t -> {
                if (verified.size() >= MAX_ENTRIES) {
                    verified.clear();
                }
                verified.put(token, t);
            });
            return checked;
        }
    }

    /**
     * The token's claims if it is signed with ES256 by one of {@code keys} (looked up by key id),
     * issued by Drydock for {@code service}, and current. The claims are checked before the
     * signature: they can only make a token refused, and a client retrying with an expired token
     * then costs no ECDSA verification per request.
     */
    public static Optional<RegistryToken> verify(String token, String service, Function<String, Optional<ECKey>> keys) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())
                    || jwt.getHeader().getKeyID() == null) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = Instant.now();
            if (!ISSUER.equals(claims.getIssuer())
                    || claims.getAudience() == null
                    || !claims.getAudience().contains(service)
                    || claims.getExpirationTime() == null
                    || claims.getExpirationTime().toInstant().plus(CLOCK_SKEW).isBefore(now)
                    || (claims.getNotBeforeTime() != null
                            && claims.getNotBeforeTime()
                                    .toInstant()
                                    .minus(CLOCK_SKEW)
                                    .isAfter(now))) {
                return Optional.empty();
            }
            Optional<ECKey> key = keys.apply(jwt.getHeader().getKeyID());
            if (key.isEmpty() || !jwt.verify(new ECDSAVerifier(key.get().toECPublicKey()))) {
                return Optional.empty();
            }
            List<Access> access = new ArrayList<>();
            if (claims.getClaim("access") instanceof List<?> entries) {
                for (Object entry : entries) {
                    if (entry instanceof Map<?, ?> map && map.get("actions") instanceof List<?> actions) {
                        access.add(new Access(
                                String.valueOf(map.get("type")),
                                String.valueOf(map.get("name")),
                                actions.stream().map(String::valueOf).toList()));
                    }
                }
            }
            Purpose purpose = Purpose.of(claims.getStringClaim(PURPOSE_CLAIM));
            if (purpose == null) {
                return Optional.empty();
            }
            String pat = claims.getStringClaim("pat");
            String session = claims.getStringClaim(SESSION_CLAIM);
            return Optional.of(new RegistryToken(
                    claims.getSubject() == null ? "" : claims.getSubject(),
                    pat == null ? null : UUID.fromString(pat),
                    access,
                    claims.getExpirationTime().toInstant(),
                    purpose,
                    session == null ? null : UUID.fromString(session),
                    issuedAt(claims)));
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The signing time to the millisecond if the token says it, else its {@code iat}; the epoch when it says neither. */
    private static Instant issuedAt(JWTClaimsSet claims) throws ParseException {
        Long millis = claims.getLongClaim(ISSUED_MILLIS_CLAIM);
        if (millis != null) {
            return Instant.ofEpochMilli(millis);
        }
        return claims.getIssueTime() == null
                ? Instant.EPOCH
                : claims.getIssueTime().toInstant();
    }
}
