package dev.drydock.oci;

import java.nio.file.Path;

/**
 * Where a blob's file lies under a store directory: {@code blobs/<algorithm>/<first two hex>/<hex>},
 * one file per digest for the whole platform. layer-store writes there; the front door may read
 * there (its {@code local} blob reads), so both take the place from here.
 */
public final class BlobLayout {

    private BlobLayout() {}

    /** The directory of blob files under a store directory. */
    public static Path blobs(Path storeDir) {
        return storeDir.resolve("blobs");
    }

    /** The file of {@code digest} under the blob directory {@code blobs}. */
    public static Path file(Path blobs, Digest digest) {
        return blobs.resolve(digest.algorithm())
                .resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex());
    }
}
