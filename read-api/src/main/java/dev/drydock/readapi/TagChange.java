package dev.drydock.readapi;

import java.time.Instant;

/** One change of a tag's history: pushed, moved or deleted, with the digests, when and by whom. */
public record TagChange(String change, String digest, String previousDigest, Instant changedAt, String changedBy) {}
