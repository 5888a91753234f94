package dev.drydock.layerstore.upload;

import java.util.UUID;

/** An upload in progress for one repository; {@code received} bytes are on disk so far. */
public record UploadSession(UUID id, String repository, long received) {}
