package dev.drydock.layerstore.storage;

import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;

/**
 * The free space of the file system blobs are stored on, against the reserve kept free. A new
 * upload body that would eat into the reserve is refused before a byte of it is written; a body
 * that meets a full disk anyway (one of unknown length, or something else filling the disk) fails
 * with the same answer, and what it wrote is cut off again (see {@link UploadAppender}).
 */
@ApplicationScoped
public class StorageSpace {

    private final FileStore store;
    private final long reserve;

    StorageSpace(LayerStoreConfig config, FilesystemBlobStore blobs) {
        try {
            this.store = Files.getFileStore(blobs.root());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the file system of " + blobs.root(), e);
        }
        this.reserve = config.freeSpaceReserve().asLongValue();
    }

    /** Bytes an unprivileged writer may still use; one statfs call. */
    public long usable() {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            throw new StorageFailure("cannot read the free space of the blob storage", e);
        }
    }

    public long reserve() {
        return reserve;
    }

    /**
     * Refuses a body of {@code length} bytes (-1: not known) that would leave less than the reserve.
     * A body of unknown length needs only the reserve to be free; a disk it fills answers the same.
     */
    public void requireRoomFor(long length) {
        long free = usable();
        if (free - Math.max(0, length) <= reserve) {
            throw full("the blob storage has " + mebibytes(free) + " free and keeps " + mebibytes(reserve)
                    + " in reserve; " + (length > 0 ? "an upload of " + mebibytes(length) + " is" : "uploads are")
                    + " refused until space is freed");
        }
    }

    /** The client's answer to a write that met a full disk. */
    public static OciException full(String message) {
        return new OciException(ErrorCode.INSUFFICIENT_STORAGE, message);
    }

    private static String mebibytes(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
