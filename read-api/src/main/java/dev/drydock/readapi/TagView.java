package dev.drydock.readapi;

import dev.drydock.oci.MediaTypes;
import java.time.Instant;
import java.util.List;

/** A tag as the read API shows it: the manifest it points at, its size and platforms, its last change. */
public record TagView(
        String name,
        String digest,
        String mediaType,
        Long size,
        List<String> platforms,
        Instant updatedAt,
        String updatedBy) {

    /** The digest's first 19 characters ({@code sha256:} and 12 hex digits), as pages show it. */
    public String shortDigest() {
        return digest.length() > 19 ? digest.substring(0, 19) : digest;
    }

    public boolean index() {
        return MediaTypes.isIndex(mediaType);
    }
}
