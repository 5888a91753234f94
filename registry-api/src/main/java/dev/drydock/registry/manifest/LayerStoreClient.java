package dev.drydock.registry.manifest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.registry.RegistryConfig;
import dev.drydock.registry.auth.RegistryTokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * What registry-api asks layer-store synchronously: does a repository link a blob, and what
 * platform does an image's config name?
 */
@ApplicationScoped
public class LayerStoreClient {

    /** How long a pull token of this service is valid; each is handed out for the first half of it. */
    private static final Duration PULL_TOKEN_LIFETIME = Duration.ofSeconds(60);

    /**
     * HTTP/1.1 on kept-alive connections, as every call between the services: the JDK client
     * otherwise upgrades each connection to HTTP/2 (h2c), and its header compression, on both
     * sides, was among the largest methods the JIT compilers were still compiling after thousands
     * of image pushes.
     */
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** As many as layer-store takes in one question (its {@code LinkRoutes.MAX_DIGESTS}). */
    private static final int MAX_DIGESTS_PER_QUESTION = 1000;

    private static final Logger LOG = Logger.getLogger(LayerStoreClient.class);
    private final AtomicBoolean toldOfNoLinkRoute = new AtomicBoolean();
    private final URI base;
    private final RegistryTokens tokens;
    /**
     * Pull tokens by repository, reused for the first half of their lifetime: a token costs an ECDSA
     * signature here and a verification at layer-store (which remembers the tokens it verified), and
     * a push asks layer-store several times about one repository. Signing one per push took a sixth
     * of the front door's CPU in image pushes, and verifying them a third of layer-store's.
     */
    private final Cache<String, String> pullTokens = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(PULL_TOKEN_LIFETIME.dividedBy(2))
            .build();

    LayerStoreClient(RegistryConfig config, RegistryTokens tokens) {
        this.base = config.layerStoreUrl();
        this.tokens = tokens;
    }

    /** A token of this service to read one repository at layer-store (which trusts no caller), valid for at least 30 s. */
    public String pullToken(RepositoryName repository) {
        return pullTokens.get(
                repository.value(),
                name -> tokens.issue(
                        RegistryToken.Purpose.REGISTRY,
                        "registry-api",
                        null,
                        List.of(new RegistryToken.Access("repository", name, List.of("pull"))),
                        Instant.now().plus(PULL_TOKEN_LIFETIME)));
    }

    /**
     * Sends a request that carries a pull token of this service, and once more with a new token if
     * layer-store refuses it: a token is refused from the moment access to its repository is
     * withdrawn (a repository made private: {@link dev.drydock.oci.token.AccessWithdrawal}), this
     * service's own included, and the one cached here may be older than that.
     */
    private <T> HttpResponse<T> sendWithPullToken(
            RepositoryName repository, Function<String, HttpRequest> request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        HttpResponse<T> response = http.send(request.apply(pullToken(repository)), body);
        if (response.statusCode() != 401) {
            return response;
        }
        if (response.body() instanceof InputStream unread) {
            unread.close();
        }
        pullTokens.invalidate(repository.value());
        return http.send(request.apply(pullToken(repository)), body);
    }

    /** Image configs are a few kilobytes; a larger one is not read for its platform. */
    private static final int MAX_CONFIG = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The {@code os/architecture[/variant]} an image config names; empty when it cannot be read or
     * names none. A platform is shown and searched, never needed: a push does not fail for it.
     */
    public Optional<String> platformOf(RepositoryName repository, Digest config) {
        try {
            HttpResponse<InputStream> response = sendWithPullToken(
                    repository,
                    token -> HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/" + config))
                            .header("Authorization", Bearer.header(token))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    return Optional.empty();
                }
                return platform(body.readNBytes(MAX_CONFIG + 1));
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The manifest, with its platform when it has an image config that names one, once layer-store
     * has said that the repository links every blob it references: one question for all of them
     * ({@code POST /internal/links}), with the config's bytes in the answer. A layer-store of an
     * earlier release, without that route, is asked blob by blob.
     *
     * @throws OciException MANIFEST_BLOB_UNKNOWN naming the first blob the repository does not
     *     link; UNAVAILABLE when layer-store cannot answer
     */
    public ParsedManifest check(RepositoryName repository, ParsedManifest manifest) {
        if (manifest.blobs().isEmpty()) {
            return manifest;
        }
        Digest config = manifest.hasImageConfig() ? manifest.blobs().get(0) : null;
        List<String> distinct =
                manifest.blobs().stream().map(Digest::toString).distinct().toList();
        Set<String> linked = new HashSet<>();
        byte[] configBytes = null;
        for (int from = 0; from < distinct.size(); from += MAX_DIGESTS_PER_QUESTION) {
            ObjectNode question = JSON.createObjectNode();
            ArrayNode digests = question.putArray("digests");
            distinct.subList(from, Math.min(distinct.size(), from + MAX_DIGESTS_PER_QUESTION))
                    .forEach(digests::add);
            if (config != null && from == 0) {
                question.put("content", config.toString()); // the config is the manifest's first blob
            }
            Optional<JsonNode> answer = ask(repository, question);
            if (answer.isEmpty()) {
                return checkBlobByBlob(repository, manifest, config);
            }
            answer.get().get("linked").forEach(digest -> linked.add(digest.asText()));
            if (answer.get().path("content").isTextual()) {
                try {
                    configBytes = Base64.getDecoder()
                            .decode(answer.get().path("content").asText());
                } catch (IllegalArgumentException e) {
                    configBytes = null; // no platform then, as for a config that is not JSON
                }
            }
        }
        for (Digest blob : manifest.blobs()) {
            if (!linked.contains(blob.toString())) {
                throw unknown(blob);
            }
        }
        return configBytes == null
                ? manifest
                : platform(configBytes).map(manifest::withPlatform).orElse(manifest);
    }

    /**
     * layer-store's answer to one question; empty when it has no such route (a layer-store of an
     * earlier release, during a rolling update: logged once).
     */
    private Optional<JsonNode> ask(RepositoryName repository, ObjectNode question) {
        byte[] body = question.toString().getBytes(UTF_8);
        try {
            HttpResponse<byte[]> response = sendWithPullToken(
                    repository,
                    token -> HttpRequest.newBuilder(base.resolve(
                                    "/internal/links?repository=" + URLEncoder.encode(repository.value(), UTF_8)))
                            .header("Authorization", Bearer.header(token))
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 404) {
                if (!toldOfNoLinkRoute.getAndSet(true)) {
                    LOG.warnf(
                            "layer-store at %s has no /internal/links (an earlier release?): asking blob by blob",
                            base);
                }
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new OciException(
                        ErrorCode.UNAVAILABLE, "layer-store answered " + response.statusCode() + " about the blobs");
            }
            JsonNode answer = JSON.readTree(response.body());
            if (!answer.path("linked").isArray()) {
                throw new OciException(ErrorCode.UNAVAILABLE, "layer-store's answer about the blobs lists none");
            }
            return Optional.of(answer);
        } catch (IOException e) {
            throw new OciException(ErrorCode.UNAVAILABLE, "layer-store is unavailable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException(ErrorCode.UNAVAILABLE, "interrupted while asking layer-store");
        }
    }

    private ParsedManifest checkBlobByBlob(RepositoryName repository, ParsedManifest manifest, Digest config) {
        for (Digest blob : manifest.blobs()) {
            if (!isLinked(repository, blob)) {
                throw unknown(blob);
            }
        }
        return config == null
                ? manifest
                : platformOf(repository, config).map(manifest::withPlatform).orElse(manifest);
    }

    private static OciException unknown(Digest blob) {
        return new OciException(
                ErrorCode.MANIFEST_BLOB_UNKNOWN,
                "the manifest references a blob this repository does not have",
                blob.toString());
    }

    /** The platform an image config names; empty when it is not JSON or names none. */
    private static Optional<String> platform(byte[] config) {
        if (config.length > MAX_CONFIG) {
            return Optional.empty();
        }
        try {
            return ManifestParser.platform(JSON.readTree(config));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether layer-store links {@code digest} to the repository (each call takes a token with 30 s or more left). */
    public boolean isLinked(RepositoryName repository, Digest digest) {
        try {
            int status = sendWithPullToken(
                            repository,
                            token -> HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/" + digest))
                                    .header("Authorization", Bearer.header(token))
                                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (status == 200) {
                return true;
            }
            if (status == 404) {
                return false;
            }
            throw new OciException(ErrorCode.UNAVAILABLE, "layer-store answered " + status + " for " + digest);
        } catch (IOException e) {
            throw new OciException(ErrorCode.UNAVAILABLE, "layer-store is unavailable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException(ErrorCode.UNAVAILABLE, "interrupted while asking layer-store");
        }
    }
}
