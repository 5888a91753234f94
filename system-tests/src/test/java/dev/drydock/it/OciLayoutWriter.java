package dev.drydock.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes OCI image layouts without any tool: real gzipped tar layers of random files, image
 * configs with platform, history and runtime settings, and multi-platform indexes. What umoci
 * cannot do offline (an index of several platforms) this can.
 */
public final class OciLayoutWriter {

    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path layout;
    private final Random random = new Random();
    private final ArrayNode references = JSON.createArrayNode();

    public record Descriptor(String mediaType, String digest, long size) {
        ObjectNode toJson() {
            ObjectNode node = JSON.createObjectNode();
            node.put("mediaType", mediaType);
            node.put("digest", digest);
            node.put("size", size);
            return node;
        }
    }

    public OciLayoutWriter(Path layout) {
        this.layout = layout;
        try {
            Files.createDirectories(layout.resolve("blobs").resolve("sha256"));
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image for one platform whose layers each hold one file of {@code layerBytes} random bytes. */
    public Descriptor image(String architecture, int layers, int layerBytes) {
        List<Descriptor> layerDescriptors = new ArrayList<>();
        ArrayNode diffIds = JSON.createArrayNode();
        ArrayNode history = JSON.createArrayNode();
        for (int i = 0; i < layers; i++) {
            byte[] content = new byte[layerBytes];
            random.nextBytes(content);
            byte[] tar = tar(Map.of("data/" + architecture + "-layer-" + i + ".bin", content));
            diffIds.add("sha256:" + sha256(tar));
            layerDescriptors.add(blob("application/vnd.oci.image.layer.v1.tar+gzip", gzip(tar)));
            history.addObject()
                    .put("created", "2026-11-27T00:00:0" + i + "Z")
                    .put("created_by", "/bin/sh -c #(nop) ADD file:layer-" + i + ".bin in /data/");
        }
        history.addObject()
                .put("created", "2026-11-27T00:01:00Z")
                .put("created_by", "/bin/sh -c #(nop) CMD [\"/app\"]")
                .put("empty_layer", true);
        ObjectNode config = JSON.createObjectNode();
        config.put("created", "2026-11-27T00:01:00Z");
        config.put("architecture", architecture);
        config.put("os", "linux");
        ObjectNode runtime = config.putObject("config");
        runtime.putArray("Env").add("PATH=/usr/local/bin:/usr/bin:/bin").add("APP_ARCH=" + architecture);
        runtime.putArray("Cmd").add("/app");
        runtime.put("WorkingDir", "/data");
        runtime.putObject("Labels").put("org.opencontainers.image.title", "drydock test image");
        config.putObject("rootfs").put("type", "layers").set("diff_ids", diffIds);
        config.set("history", history);
        Descriptor configDescriptor = blob("application/vnd.oci.image.config.v1+json", json(config));

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.set("config", configDescriptor.toJson());
        ArrayNode layerArray = manifest.putArray("layers");
        layerDescriptors.forEach(d -> layerArray.add(d.toJson()));
        return blob(MANIFEST, json(manifest));
    }

    /** An index of images, one per architecture, all linux. */
    public Descriptor index(Map<String, Descriptor> imagesByArchitecture) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        ArrayNode manifests = index.putArray("manifests");
        imagesByArchitecture.forEach((architecture, image) -> {
            ObjectNode entry = image.toJson();
            entry.putObject("platform").put("architecture", architecture).put("os", "linux");
            manifests.add(entry);
        });
        return blob(INDEX, json(index));
    }

    /** Names a manifest or index in the layout's index.json under a tag. */
    public OciLayoutWriter tag(String tag, Descriptor descriptor) {
        ObjectNode entry = descriptor.toJson();
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        references.add(entry);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.set("manifests", references);
        try {
            Files.write(layout.resolve("index.json"), json(index));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Path path() {
        return layout;
    }

    private Descriptor blob(String mediaType, byte[] bytes) {
        String hex = sha256(bytes);
        try {
            Files.write(layout.resolve("blobs").resolve("sha256").resolve(hex), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Descriptor(mediaType, "sha256:" + hex, bytes.length);
    }

    private static byte[] json(Object node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A POSIX ustar archive of regular files. */
    static byte[] tar(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LinkedHashMap<>(files).forEach((name, content) -> {
            byte[] header = new byte[512];
            put(header, 0, name);
            put(header, 100, "0000644");
            put(header, 108, "0000000");
            put(header, 116, "0000000");
            put(header, 124, String.format("%011o", content.length));
            put(header, 136, String.format("%011o", 1_764_201_600L));
            header[156] = '0';
            put(header, 257, "ustar");
            put(header, 263, "00");
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            int checksum = 0;
            for (byte b : header) {
                checksum += b & 0xff;
            }
            put(header, 148, String.format("%06o", checksum));
            header[154] = 0;
            out.writeBytes(header);
            out.writeBytes(content);
            out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        });
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
