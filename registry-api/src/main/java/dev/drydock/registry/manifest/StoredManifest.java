package dev.drydock.registry.manifest;

/** A manifest as it was pushed. */
public record StoredManifest(
        String digest, String mediaType, byte[] content, String subjectDigest, String artifactType) {}
