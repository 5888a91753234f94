package dev.drydock.oci.token;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * How a service other than registry-api checks registry tokens: with the public keys registry-api
 * publishes as a JWKS, fetched when a token names a key not seen yet (at most every few seconds),
 * so no secret is shared ({@code file:} URLs are read from disk). Verified tokens are remembered until they expire.
 */
public final class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class.getName());
    private static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(5);

    private final URI jwksUrl;
    private final String service;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Map<String, ECKey> keys = new ConcurrentHashMap<>();
    private final RegistryToken.Cache verified = new RegistryToken.Cache();
    private volatile Instant lastRefresh = Instant.EPOCH;

    public TokenVerifier(URI jwksUrl, String service) {
        this.jwksUrl = jwksUrl;
        this.service = service;
    }

    /** Verifies with the keys known now; never blocks. */
    public Optional<RegistryToken> verifyWithKnownKeys(String token) {
        return verified.verify(token, service, kid -> Optional.ofNullable(keys.get(kid)));
    }

    /**
     * Whether the token names a key this verifier has not seen: {@link #verify} then waits for the
     * JWKS (a fetch of its own, or one already under way).
     */
    public boolean namesUnknownKey(String token) {
        try {
            String kid = SignedJWT.parse(token).getHeader().getKeyID();
            return kid != null && !keys.containsKey(kid);
        } catch (ParseException e) {
            return false;
        }
    }

    /**
     * Verifies, fetching the JWKS first when the token names an unknown key (at most once every few
     * seconds). Blocks while it fetches, and so do the requests that arrive meanwhile: they are
     * decided with the keys the fetch brings, not refused for arriving during it.
     */
    public Optional<RegistryToken> verify(String token) {
        Optional<RegistryToken> known = verifyWithKnownKeys(token);
        if (known.isPresent() || !namesUnknownKey(token)) {
            return known;
        }
        synchronized (this) {
            if (namesUnknownKey(token) && Instant.now().isAfter(lastRefresh.plus(MIN_REFRESH_INTERVAL))) {
                refreshKeys();
            }
        }
        return verifyWithKnownKeys(token);
    }

    private void refreshKeys() {
        lastRefresh = Instant.now();
        try {
            String jwks;
            if ("file".equals(jwksUrl.getScheme())) {
                jwks = Files.readString(Path.of(jwksUrl));
            } else {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(jwksUrl)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    LOG.warning("the JWKS at " + jwksUrl + " answered " + response.statusCode());
                    return;
                }
                jwks = response.body();
            }
            for (JWK key : JWKSet.parse(jwks).getKeys()) {
                if (key instanceof ECKey ec) {
                    keys.put(ec.getKeyID(), ec);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warning("cannot read the JWKS at " + jwksUrl + ": " + e.getMessage());
        }
    }
}
