package dev.drydock.portal.image;

import dev.drydock.oci.MediaTypes;
import java.util.List;

/**
 * A manifest as the tag page shows it: an index with its platforms, or an image with its layers,
 * its history like {@code docker image history} and its {@code docker image inspect} view.
 */
public record Image(
        String repository,
        String reference,
        String digest,
        String mediaType,
        String rawManifest,
        List<Platform> platforms,
        List<Layer> layers,
        Config config) {

    public record Platform(String os, String architecture, String variant, String digest, long size) {
        public String name() {
            return os + "/" + architecture + (variant == null ? "" : "/" + variant);
        }
    }

    public record Layer(String digest, String mediaType, long size) {}

    public record HistoryEntry(String created, String createdBy, Long size, boolean emptyLayer, String comment) {}

    /** @param inspect the {@code docker image inspect} JSON, pretty-printed */
    public record Config(
            String digest,
            String os,
            String architecture,
            String created,
            List<HistoryEntry> history,
            String inspect) {}

    public boolean index() {
        return !platforms.isEmpty() || MediaTypes.isIndex(mediaType);
    }

    /** Compressed size: the layers and the config, as a pull transfers them. */
    public long size() {
        return layers.stream().mapToLong(Layer::size).sum();
    }
}
