package dev.drydock.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/** Builds small OCI images offline with umoci: each layer adds a file of random bytes. */
public final class OciImages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciImages() {}

    /** An OCI layout at {@code dir/layout} holding {@code image:tag} with the given number of layers. */
    public static Path build(Path dir, String tag, int layers, int layerBytes) {
        Path layout = dir.resolve("layout");
        Commands.run(dir, "umoci", "init", "--layout", layout.toString());
        String ref = layout + ":" + tag;
        Commands.run(dir, "umoci", "new", "--image", ref);
        Random random = new Random();
        for (int i = 0; i < layers; i++) {
            Path bundle = dir.resolve("bundle-" + i);
            Commands.run(dir, "umoci", "unpack", "--rootless", "--image", ref, bundle.toString());
            byte[] bytes = new byte[layerBytes];
            random.nextBytes(bytes);
            try {
                Files.write(bundle.resolve("rootfs").resolve("layer-" + i + ".bin"), bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Commands.run(dir, "umoci", "repack", "--image", ref, bundle.toString());
        }
        return layout;
    }

    /** The manifest digest a layout's index gives for a tag. */
    public static String manifestDigest(Path layout, String tag) {
        for (JsonNode manifest : read(layout.resolve("index.json")).path("manifests")) {
            if (tag.equals(manifest.path("annotations")
                    .path("org.opencontainers.image.ref.name")
                    .asText())) {
                return manifest.path("digest").asText();
            }
        }
        throw new AssertionError("no tag " + tag + " in " + layout);
    }

    /** The config digest followed by the layer digests of a manifest in a layout. */
    public static List<String> blobDigests(Path layout, String manifestDigest) {
        JsonNode manifest = read(blobPath(layout, manifestDigest));
        List<String> digests = new ArrayList<>();
        digests.add(manifest.path("config").path("digest").asText());
        manifest.path("layers")
                .forEach(layer -> digests.add(layer.path("digest").asText()));
        return digests;
    }

    /** The layers (not the configs) of these image manifests in an OCI layout. */
    public static List<String> layerDigests(Path layout, Collection<String> manifestDigests) {
        List<String> layers = new ArrayList<>();
        for (String manifest : manifestDigests) {
            List<String> blobs = blobDigests(layout, manifest);
            layers.addAll(blobs.subList(1, blobs.size()));
        }
        return layers;
    }

    /** The audit log shows every one of these layers mounted into the repository, and none uploaded to it. */
    public static void assertMountedNotUploaded(Platform platform, String repository, List<String> layers) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertTrue(auditDigests(platform, repository, "dev.drydock.blob.mounted")
                        .containsAll(layers)));
        List<String> uploaded = auditDigests(platform, repository, "dev.drydock.blob.uploaded");
        assertTrue(uploaded.stream().noneMatch(layers::contains), "layers uploaded again: " + uploaded);
    }

    private static List<String> auditDigests(Platform platform, String repository, String type) {
        return given().baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword)
                .queryParam("repository", repository)
                .queryParam("type", type)
                .get("/api/v1/audit")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.data.digest", String.class);
    }

    /** Asserts that {@code pulled} holds {@code tag} with the same manifest, config and layers, byte for byte, as {@code pushed}. */
    public static void assertSameImage(Path pushed, Path pulled, String tag) {
        String manifest = manifestDigest(pushed, tag);
        assertEquals(manifest, manifestDigest(pulled, tag));
        for (String blob : blobDigests(pushed, manifest)) {
            try {
                assertArrayEquals(
                        Files.readAllBytes(blobPath(pushed, blob)), Files.readAllBytes(blobPath(pulled, blob)), blob);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static Path blobPath(Path layout, String digest) {
        return layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
