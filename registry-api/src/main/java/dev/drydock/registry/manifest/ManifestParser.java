package dev.drydock.registry.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.MediaTypes;
import dev.drydock.oci.OciException;
import dev.drydock.oci.http.TextInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a pushed manifest: its media type, what it references, and whether it is well formed. */
public final class ManifestParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ManifestParser() {}

    /** Names and values are stored and indexed as text: a NUL or other control character cannot be. */
    private static void rejectControlCharacters(JsonNode node) {
        if (node.isTextual()) {
            TextInput.problem(node.textValue()).ifPresent(problem -> {
                throw invalid("a string in the manifest is not accepted: " + problem);
            });
        }
        var fields = node.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            TextInput.problem(field).ifPresent(problem -> {
                throw invalid("a field name in the manifest is not accepted: " + problem);
            });
        }
        node.elements().forEachRemaining(ManifestParser::rejectControlCharacters);
    }

    public static ParsedManifest parse(byte[] content, String contentType) {
        JsonNode root;
        try {
            root = MAPPER.readTree(content);
        } catch (JsonProcessingException e) {
            throw invalid("the manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("the manifest cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("the manifest must be a JSON object");
        }
        rejectControlCharacters(root);
        String declared = text(root, "mediaType");
        String header = contentType == null ? null : contentType.split(";")[0].trim();
        if (MediaTypes.DOCKER_SCHEMA1.equals(header)
                || MediaTypes.DOCKER_SCHEMA1_SIGNED.equals(header)
                || root.path("schemaVersion").asInt() == 1) {
            throw invalid("Docker image manifest schema 1 is not supported: push schema 2 or OCI "
                    + "(newer docker, podman and skopeo do so by default)");
        }
        if (root.path("schemaVersion").asInt() != 2) {
            throw invalid("schemaVersion must be 2");
        }
        String mediaType = declared != null ? declared : header;
        if (mediaType == null || !MediaTypes.isManifest(mediaType)) {
            throw invalid("unsupported manifest media type " + mediaType);
        }
        if (declared != null && header != null && MediaTypes.isManifest(header) && !header.equals(declared)) {
            throw invalid("Content-Type " + header + " does not match the manifest's mediaType " + declared);
        }
        List<Digest> blobs = new ArrayList<>();
        List<Long> blobSizes = new ArrayList<>();
        List<Digest> children = new ArrayList<>();
        List<String> platforms = new ArrayList<>();
        long total = content.length;
        if (MediaTypes.IMAGE_MANIFESTS.contains(mediaType)) {
            JsonNode config = root.get("config");
            if (config == null || !config.isObject()) {
                throw invalid("an image manifest needs a config descriptor");
            }
            blobs.add(descriptorDigest(config));
            blobSizes.add(config.path("size").asLong());
            total += config.path("size").asLong();
            JsonNode layers = root.path("layers");
            if (!layers.isArray()) {
                throw invalid("an image manifest needs a layers array");
            }
            for (JsonNode layer : layers) {
                if (layer.path("urls").isArray()
                        && layer.path("mediaType").asText().contains("foreign")) {
                    continue;
                }
                blobs.add(descriptorDigest(layer));
                blobSizes.add(layer.path("size").asLong());
                total += layer.path("size").asLong();
            }
        } else {
            JsonNode manifests = root.path("manifests");
            if (!manifests.isArray()) {
                throw invalid("an index needs a manifests array");
            }
            for (JsonNode child : manifests) {
                children.add(descriptorDigest(child));
                platform(child.path("platform")).ifPresent(platforms::add);
            }
        }
        Digest subject = root.hasNonNull("subject") ? descriptorDigest(root.get("subject")) : null;
        // As the referrers API reports it: the manifest's artifactType, else its config's media type.
        String artifactType = text(root, "artifactType");
        if (artifactType == null && root.path("config").hasNonNull("mediaType")) {
            artifactType = root.path("config").path("mediaType").asText();
        }
        return new ParsedManifest(
                Digest.sha256Of(content),
                mediaType,
                content,
                artifactType,
                subject,
                blobs,
                blobSizes,
                children,
                total,
                platforms);
    }

    /**
     * {@code os/architecture[/variant]} of an index entry's or an image config's platform; none for
     * {@code unknown/unknown} (what buildx calls its attestation manifests).
     */
    public static Optional<String> platform(JsonNode platform) {
        String os = text(platform, "os");
        String architecture = text(platform, "architecture");
        if (os == null || architecture == null || os.equals("unknown")) {
            return Optional.empty();
        }
        String variant = text(platform, "variant");
        return Optional.of(os + "/" + architecture + (variant == null ? "" : "/" + variant));
    }

    private static Digest descriptorDigest(JsonNode descriptor) {
        JsonNode digest = descriptor.get("digest");
        if (digest == null || !digest.isTextual()) {
            throw invalid("a descriptor has no digest");
        }
        try {
            return Digest.parse(digest.asText());
        } catch (OciException e) {
            throw invalid("a descriptor has a malformed digest: " + digest.asText());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static OciException invalid(String message) {
        return new OciException(ErrorCode.MANIFEST_INVALID, message);
    }
}
