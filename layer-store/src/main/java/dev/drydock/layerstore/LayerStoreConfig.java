package dev.drydock.layerstore;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

@ConfigMapping(prefix = "drydock.layer-store")
public interface LayerStoreConfig {

    /** Where blobs and uploads in progress live ({@code DRYDOCK_LAYER_STORE_STORAGE_DIR}). */
    @WithDefault(".drydock/blobs")
    Path storageDir();

    /** An upload session untouched for this long is abandoned: its row and partial file are removed. */
    @WithDefault("24h")
    Duration uploadExpiry();
}
