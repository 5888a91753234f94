package dev.drydock.readapi;

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
        String updatedBy) {}
