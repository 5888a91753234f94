package dev.drydock.layerstore.storage;

import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.oci.BlobLayout;
import dev.drydock.oci.Digest;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Blobs on the local filesystem: {@code blobs/<algorithm>/<first two hex>/<hex>}, one file per
 * digest for the whole platform. Uploads grow in {@code uploads/<session id>} and are moved into
 * place atomically once their digest is verified, so a reader never sees a partial blob.
 */
@ApplicationScoped
public class FilesystemBlobStore {

    private final Path root;
    private final Path blobs;
    private final Path uploads;

    FilesystemBlobStore(LayerStoreConfig config) throws IOException {
        this.root = config.storageDir().toAbsolutePath();
        this.blobs = Files.createDirectories(BlobLayout.blobs(root));
        this.uploads = Files.createDirectories(root.resolve("uploads"));
    }

    /** The storage directory, holding {@code blobs/} and {@code uploads/}. */
    public Path root() {
        return root;
    }

    public Path blobPath(Digest digest) {
        return BlobLayout.file(blobs, digest);
    }

    public boolean contains(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    public Path uploadPath(UUID session) {
        return uploads.resolve(session.toString());
    }

    /**
     * Moves a verified upload into place; if the blob is already stored, the upload is dropped.
     * The new directory entries are fsynced before this returns: the link committed next must not
     * outlive, after a crash, the rename it points to (the upload's bytes are fsynced already).
     */
    public void commit(UUID session, Digest digest) {
        Path source = uploadPath(session);
        Path target = blobPath(digest);
        try {
            createDirectoriesDurably(target.getParent());
            if (Files.exists(target)) {
                Files.deleteIfExists(source);
                return;
            }
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target.getParent());
        } catch (FileAlreadyExistsException raced) {
            deleteUpload(session);
        } catch (IOException e) {
            throw new StorageFailure("cannot move upload " + session + " into place as " + digest, e);
        }
    }

    private void createDirectoriesDurably(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        createDirectoriesDurably(directory.getParent());
        try {
            Files.createDirectory(directory);
        } catch (FileAlreadyExistsException raced) {
            // another upload made it at the same moment; synced here too, as that one may not have yet
        }
        syncDirectory(directory.getParent());
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Removes a blob's file, if it is there; garbage collection's, under the blob's file lock. */
    public void deleteBlob(Digest digest) {
        try {
            Files.deleteIfExists(blobPath(digest));
        } catch (IOException e) {
            throw new StorageFailure("cannot remove the blob " + digest, e);
        }
    }

    /** The digests of the stored blob files last written longer than {@code age} ago. */
    public List<String> blobsUntouchedFor(Duration age) {
        Instant before = Instant.now().minus(age);
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(blobs, 3)) {
            files.filter(file -> file.getNameCount() - blobs.getNameCount() == 3)
                    .forEach(file -> {
                        String algorithm =
                                file.getParent().getParent().getFileName().toString();
                        String digest = algorithm + ":" + file.getFileName();
                        try {
                            if (Files.isRegularFile(file)
                                    && Files.getLastModifiedTime(file)
                                            .toInstant()
                                            .isBefore(before)
                                    && Digest.parse(digest).toString().equals(digest)) {
                                found.add(digest);
                            }
                        } catch (IOException | RuntimeException notABlob) {
                            // vanished meanwhile, or a name no digest has: not the collector's to touch
                        }
                    });
        } catch (IOException e) {
            throw new StorageFailure("cannot list the blobs in " + blobs, e);
        }
        return found;
    }

    /** The uploads whose file was last written longer than {@code age} ago. */
    public List<UUID> uploadsUntouchedFor(Duration age) {
        Instant before = Instant.now().minus(age);
        try (Stream<Path> files = Files.list(uploads)) {
            return files.filter(file -> {
                        try {
                            return Files.getLastModifiedTime(file).toInstant().isBefore(before);
                        } catch (IOException vanished) {
                            return false;
                        }
                    })
                    .map(file -> file.getFileName().toString())
                    .filter(FilesystemBlobStore::isUuid)
                    .map(UUID::fromString)
                    .toList();
        } catch (IOException e) {
            throw new StorageFailure("cannot list the uploads in " + uploads, e);
        }
    }

    private static boolean isUuid(String name) {
        try {
            return UUID.fromString(name).toString().equals(name);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public void deleteUpload(UUID session) {
        try {
            Files.deleteIfExists(uploadPath(session));
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
    }

    /** Hashes the first {@code length} bytes of an upload, for resuming after a restart. */
    public void hashUpload(UUID session, long length, MessageDigest into) {
        Path file = uploadPath(session);
        if (length == 0 || !Files.exists(file)) {
            return;
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            long remaining = length;
            while (remaining > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (read < 0) {
                    break;
                }
                into.update(buffer, 0, read);
                remaining -= read;
            }
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
    }

    public long uploadSize(UUID session) {
        try {
            Path file = uploadPath(session);
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
    }
}
