package dev.drydock.portal.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.oci.http.Bearer;
import dev.drydock.oci.http.PageViews;
import dev.drydock.portal.PortalConfig;
import dev.drydock.portal.session.Visitor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Reads images the way a client does: a registry token for pull of the repository (the visitor's
 * own, or anonymous), then the manifest and the config blob through the front door's {@code /v2}.
 * What the visitor may not pull answers 404, like a missing image.
 */
@ApplicationScoped
public class ImageReader {

    private static final String ACCEPT = String.join(
            ", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    /** Image configs are a few kilobytes; anything this large is not one to show. */
    private static final int MAX_CONFIG = 1 << 20;

    private static final int MAX_MANIFEST = 4 << 20;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final PortalConfig config;
    private final Visitor visitor;
    private final ObjectMapper json;

    ImageReader(PortalConfig config, Visitor visitor, ObjectMapper json) {
        this.config = config;
        this.visitor = visitor;
        this.json = json;
    }

    public Image read(String repository, String reference) {
        String token = visitor.registryToken("repository:" + repository + ":pull");
        HttpResponse<InputStream> response =
                get("/v2/" + repository + "/manifests/" + encode(reference), token, ACCEPT);
        String mediaType = response.headers().firstValue("Content-Type").orElse("");
        String digest = response.headers().firstValue("Docker-Content-Digest").orElse(reference);
        String raw = body(response, MAX_MANIFEST);
        JsonNode manifest = tree(raw);
        List<Image.Platform> platforms = new ArrayList<>();
        for (JsonNode child : manifest.path("manifests")) {
            JsonNode platform = child.path("platform");
            platforms.add(new Image.Platform(
                    platform.path("os").asText("unknown"),
                    platform.path("architecture").asText("unknown"),
                    text(platform, "variant"),
                    child.path("digest").asText(),
                    child.path("size").asLong()));
        }
        List<Image.Layer> layers = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers")) {
            layers.add(new Image.Layer(
                    layer.path("digest").asText(),
                    layer.path("mediaType").asText(),
                    layer.path("size").asLong()));
        }
        Image.Config imageConfig = null;
        JsonNode configDescriptor = manifest.path("config");
        String configType = configDescriptor.path("mediaType").asText("");
        if (configType.equals("application/vnd.oci.image.config.v1+json")
                || configType.equals("application/vnd.docker.container.image.v1+json")) {
            imageConfig =
                    config(repository, token, configDescriptor.path("digest").asText(), layers, reference, digest);
        }
        return new Image(repository, reference, digest, mediaType, pretty(manifest), platforms, layers, imageConfig);
    }

    private Image.Config config(
            String repository,
            String token,
            String configDigest,
            List<Image.Layer> layers,
            String reference,
            String manifestDigest) {
        JsonNode config = tree(body(get("/v2/" + repository + "/blobs/" + configDigest, token, "*/*"), MAX_CONFIG));
        List<Image.HistoryEntry> history = new ArrayList<>();
        Iterator<Image.Layer> layer = layers.iterator();
        for (JsonNode step : config.path("history")) {
            boolean empty = step.path("empty_layer").asBoolean(false);
            Long size = empty
                    ? Long.valueOf(0)
                    : layer.hasNext() ? Long.valueOf(layer.next().size()) : null;
            history.add(new Image.HistoryEntry(
                    text(step, "created"), text(step, "created_by"), size, empty, text(step, "comment")));
        }
        Collections.reverse(history); // newest first, as docker image history prints it
        return new Image.Config(
                configDigest,
                config.path("os").asText(""),
                config.path("architecture").asText(""),
                text(config, "created"),
                history,
                pretty(inspect(config, configDigest, repository, reference, manifestDigest, layers)));
    }

    /** The fields of {@code docker image inspect} that the config holds. */
    private JsonNode inspect(
            JsonNode config,
            String configDigest,
            String repository,
            String reference,
            String manifestDigest,
            List<Image.Layer> layers) {
        ObjectNode inspect = json.createObjectNode();
        inspect.put("Id", configDigest);
        String visible = repository.startsWith("library/") ? repository.substring("library/".length()) : repository;
        inspect.putArray("RepoTags").add(visible + ":" + reference);
        inspect.putArray("RepoDigests").add(visible + "@" + manifestDigest);
        copy(config, "created", inspect, "Created");
        copy(config, "author", inspect, "Author");
        copy(config, "architecture", inspect, "Architecture");
        copy(config, "variant", inspect, "Variant");
        copy(config, "os", inspect, "Os");
        inspect.put("Size", layers.stream().mapToLong(Image.Layer::size).sum());
        ObjectNode runConfig = inspect.putObject("Config");
        JsonNode source = config.path("config");
        for (String field : List.of(
                "User", "ExposedPorts", "Env", "Cmd", "Entrypoint", "Volumes", "WorkingDir", "Labels", "StopSignal")) {
            copy(source, field, runConfig, field);
        }
        ObjectNode rootfs = inspect.putObject("RootFS");
        rootfs.put("Type", config.path("rootfs").path("type").asText("layers"));
        ArrayNode diffIds = rootfs.putArray("Layers");
        config.path("rootfs").path("diff_ids").forEach(diffIds::add);
        return inspect;
    }

    private HttpResponse<InputStream> get(String path, String token, String accept) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.frontDoorUrl() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Accept", accept)
                .header("Authorization", Bearer.header(token))
                .header("User-Agent", PageViews.USER_AGENT)
                .build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new NotFoundException("the registry answered " + response.statusCode() + " for " + path);
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String body(HttpResponse<InputStream> response, int limit) {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new NotFoundException("too large to show");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode tree(String raw) {
        try {
            return json.readTree(raw);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private String pretty(JsonNode node) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        if (from.has(field) && !from.get(field).isNull()) {
            to.set(as, from.get(field));
        }
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static String encode(String reference) {
        return URLEncoder.encode(reference, StandardCharsets.UTF_8);
    }
}
