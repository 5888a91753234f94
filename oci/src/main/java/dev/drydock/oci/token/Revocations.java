package dev.drydock.oci.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * What a service other than registry-api knows of revoked personal access tokens and ended
 * sign-ins: the list registry-api serves at {@code /.well-known/drydock/revocations}, fetched
 * every second by {@link #refresh()}. A token derived from a personal access token or a session
 * is refused once its origin is listed — and also whenever the list is older than
 * {@link #STALE_AFTER}, since nothing then says it still lives (fail closed).
 */
public final class Revocations {

    public static final String PATH = "/.well-known/drydock/revocations";
    public static final Duration STALE_AFTER = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(Revocations.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private volatile Set<UUID> tokens = Set.of();
    private volatile Set<UUID> sessions = Set.of();
    private volatile Instant fresh = Instant.EPOCH;
    private volatile boolean warned;

    /** @param frontDoor registry-api's base URL */
    public Revocations(URI frontDoor) {
        this.url = frontDoor.resolve(PATH);
    }

    /** Whether a token may still be used: refused when what it was derived from was revoked, or cannot be known. */
    public boolean allows(RegistryToken token) {
        if (token.tokenId() == null && token.sessionId() == null) {
            return true;
        }
        if (fresh.plus(STALE_AFTER).isBefore(Instant.now())) {
            return false;
        }
        // immutable sets refuse contains(null): ask only for what the token names
        return (token.tokenId() == null || !tokens.contains(token.tokenId()))
                && (token.sessionId() == null || !sessions.contains(token.sessionId()));
    }

    public void refresh() {
        try {
            HttpResponse<byte[]> response = http.send(
                    HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("answered " + response.statusCode());
            }
            JsonNode body = JSON.readTree(response.body());
            tokens = ids(body.path("tokens"));
            sessions = ids(body.path("sessions"));
            fresh = Instant.now();
            warned = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!warned) {
                LOG.warning("cannot read revocations at " + url + " (" + e.getMessage() + "); tokens of personal access"
                        + " tokens and sessions are refused from " + STALE_AFTER.toSeconds()
                        + " s after the last good read");
                warned = true;
            }
        }
    }

    private static Set<UUID> ids(JsonNode array) {
        Set<UUID> ids = new HashSet<>();
        array.forEach(id -> ids.add(UUID.fromString(id.asText())));
        return Set.copyOf(ids);
    }
}
