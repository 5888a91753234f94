package dev.drydock.registry.manifest;

import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import java.util.List;

/**
 * What the registry must know of a pushed manifest.
 *
 * @param blobs     config and layers of an image manifest (must be linked in the repository)
 * @param blobSizes the size each of {@code blobs} has by its descriptor, in the same order
 * @param children  the manifests an index lists (must be in the repository)
 * @param totalSize the manifest, its config and layers, in bytes, as the manifest declares them
 * @param platforms {@code os/architecture[/variant]} of each platform an index lists; of an image,
 *                  once its config has been read ({@link #withPlatform})
 */
public record ParsedManifest(
        Digest digest,
        String mediaType,
        byte[] content,
        String artifactType,
        Digest subject,
        List<Digest> blobs,
        List<Long> blobSizes,
        List<Digest> children,
        long totalSize,
        List<String> platforms) {

    /** The config of an image manifest whose config is an image config (not an artifact's). */
    public boolean hasImageConfig() {
        return !blobs.isEmpty()
                && (MediaTypes.OCI_IMAGE_CONFIG.equals(artifactType)
                        || MediaTypes.DOCKER_IMAGE_CONFIG.equals(artifactType));
    }

    /** The same manifest known by another digest of its bytes (a sha512 one it was pushed by). */
    public ParsedManifest withDigest(Digest other) {
        return new ParsedManifest(
                other, mediaType, content, artifactType, subject, blobs, blobSizes, children, totalSize, platforms);
    }

    public ParsedManifest withPlatform(String platform) {
        return new ParsedManifest(
                digest,
                mediaType,
                content,
                artifactType,
                subject,
                blobs,
                blobSizes,
                children,
                totalSize,
                List.of(platform));
    }
}
