package dev.drydock.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The infrastructure's credentials, generated on first start and kept under the data directory's
 * {@code secrets/} (mode 0700, each file 0600): whoever can read them owns the platform's data.
 */
final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    Secrets(Path dataDir) throws IOException {
        dir = dataDir.resolve("secrets");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    boolean has(String name) {
        return Files.exists(dir.resolve(name));
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    /** A new random secret (128 bits, hex), not yet kept: {@link #put} it once it is in use. */
    static String generate() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    void put(String name, String secret) throws IOException {
        writePrivate(dir.resolve(name), secret);
    }

    /** The secret kept under {@code name}; a new random one (128 bits, hex) when there is none yet. */
    String get(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            writePrivate(file, generate());
        }
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            throw new IllegalStateException(file + " is empty: delete it to have a new secret generated");
        }
        return secret;
    }

    /** Writes {@code text} readable by this user only, whole or not at all (readers never see half a file). */
    static void writePrivate(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
