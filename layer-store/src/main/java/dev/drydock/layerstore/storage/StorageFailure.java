package dev.drydock.layerstore.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;

/**
 * The blob storage's file system failed: a full disk, a used-up quota, an I/O error. Only storage
 * code raises it, so a reset client connection (an {@link IOException} too) is never taken for one.
 */
public class StorageFailure extends UncheckedIOException {

    public StorageFailure(String message, IOException cause) {
        super(message, cause);
    }

    public StorageFailure(IOException cause) {
        super(cause.getMessage(), cause);
    }

    /** Whether the write found no space left (ENOSPC) or its quota used up (EDQUOT). */
    public boolean outOfSpace() {
        IOException cause = getCause();
        String reason =
                cause instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : cause.getMessage();
        return reason != null && (reason.contains("No space left on device") || reason.contains("Disk quota exceeded"));
    }

    /** The storage failure in {@code failure}'s causes, or null. */
    public static StorageFailure in(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof StorageFailure storage) {
                return storage;
            }
        }
        return null;
    }
}
