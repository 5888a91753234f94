package dev.drydock.registry.manifest;

import dev.drydock.oci.Digest;

import java.util.List;

/**
 * What the registry must know of a pushed manifest.
 *
 * @param blobs     config and layers of an image manifest (must be linked in the repository)
 * @param children  the manifests an index lists (must be in the repository)
 * @param totalSize the manifest, its config and layers, in bytes, as the manifest declares them
 */
public record ParsedManifest(Digest digest, String mediaType, byte[] content, String artifactType, Digest subject,
                             List<Digest> blobs, List<Digest> children, long totalSize) {
}
