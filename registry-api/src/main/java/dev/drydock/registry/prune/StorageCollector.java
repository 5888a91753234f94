package dev.drydock.registry.prune;

import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.auth.RegistryTokens;
import dev.drydock.registry.identity.IdentityException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks layer-store to collect its garbage, with a short-lived token of a purpose no other route
 * accepts ({@code storage_admin}), minted here once the caller is known to be a platform admin.
 */
@ApplicationScoped
public class StorageCollector {

    /** A collection of a large store takes minutes; the token only has to reach layer-store. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(30);
    /** The token is sent at once, to layer-store on this machine's network: it need not outlive that. */
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI base;
    private final RegistryTokens tokens;
    private final Duration answerWithin;

    StorageCollector(
            RegistryConfig config,
            RegistryTokens tokens,
            @ConfigProperty(name = "drydock.gc.answer-within", defaultValue = "PT90S") Duration answerWithin) {
        this.base = config.layerStoreUrl();
        this.tokens = tokens;
        this.answerWithin = answerWithin;
    }

    /**
     * layer-store's report, as JSON; empty when the collection is still running after
     * {@code drydock.gc.answer-within} (default 90 s, under the two minutes after which an idle
     * HTTP connection is closed). It then goes on in layer-store, and its report arrives as the
     * {@code storage.garbage_collected} event.
     */
    public Optional<String> collect(boolean dryRun, String pause, String admin) {
        String token = tokens.issue(
                RegistryToken.Purpose.STORAGE_ADMIN,
                admin,
                null,
                List.of(),
                Instant.now().plus(TOKEN_LIFETIME));
        String query = "?dryRun=" + dryRun
                + (pause == null ? "" : "&pause=" + URLEncoder.encode(pause.strip(), StandardCharsets.UTF_8));
        HttpRequest post = HttpRequest.newBuilder(base.resolve("/internal/gc" + query))
                .header("Authorization", Bearer.header(token))
                .timeout(RUN_LIMIT)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
                    .get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new OciException(
                    ErrorCode.UNAVAILABLE,
                    "layer-store is unavailable: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException(ErrorCode.UNAVAILABLE, "interrupted while layer-store collected garbage");
        }
        if (response.statusCode() == 400) {
            throw new IdentityException(
                    400, "pause must be an ISO-8601 duration of at most a minute, such as PT2S.", "pause");
        }
        if (response.statusCode() == 409) {
            throw new IdentityException(
                    409, "A garbage collection is running already; try again when it has finished.");
        }
        if (response.statusCode() != 200) {
            throw new OciException(
                    ErrorCode.UNAVAILABLE,
                    "layer-store answered " + response.statusCode() + " to the garbage collection");
        }
        return Optional.of(response.body());
    }

    /**
     * layer-store's record of the collection running now, or else of the latest real one (with
     * {@code dryRun}, the latest dry run), as JSON ({@code {"run": null}} before the first).
     */
    public String latest(String admin, boolean dryRun) {
        String token = tokens.issue(
                RegistryToken.Purpose.STORAGE_ADMIN,
                admin,
                null,
                List.of(),
                Instant.now().plus(TOKEN_LIFETIME));
        HttpRequest get = HttpRequest.newBuilder(base.resolve("/internal/gc?dryRun=" + dryRun))
                .header("Authorization", Bearer.header(token))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(get, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new OciException(ErrorCode.UNAVAILABLE, "layer-store is unavailable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException(ErrorCode.UNAVAILABLE, "interrupted while asking layer-store");
        }
        if (response.statusCode() != 200) {
            throw new OciException(
                    ErrorCode.UNAVAILABLE,
                    "layer-store answered " + response.statusCode() + " when asked for the garbage collection");
        }
        return response.body();
    }
}
