package dev.drydock.layerstore.gc;

import dev.drydock.oci.Digest;
import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The garbage collector's settings and the lock on a blob's file, which an upload holds from
 * before it moves its bytes into place until its blob row commits, and the collector holds while
 * it removes a file (docs/garbage-collection.md).
 */
@ApplicationScoped
public class GarbageCollection {

    /** Separates the blob-file locks from the other advisory locks of the database. */
    private static final int FILE_LOCK_SEED = 7102;

    private static final String FILE_KEY = "hashtextextended(?, " + FILE_LOCK_SEED + ")";

    private final Duration grace;
    private final String registrySchema;
    private final Optional<Duration> interval;

    GarbageCollection(
            @ConfigProperty(name = "drydock.gc.grace", defaultValue = "PT1H") Duration grace,
            @ConfigProperty(name = "drydock.gc.registry-schema", defaultValue = "registry") String registrySchema,
            @ConfigProperty(name = "drydock.gc.interval", defaultValue = "24h") String interval) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("drydock.gc.grace must not be negative: " + grace);
        }
        if (!registrySchema.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException(
                    "drydock.gc.registry-schema is not a plain schema name: " + registrySchema);
        }
        this.grace = grace;
        this.registrySchema = registrySchema;
        this.interval = scheduleInterval(interval);
    }

    /** {@code off} (or {@code disabled}) stops the schedule; otherwise a positive duration such as {@code 24h} or {@code PT6H}. */
    static Optional<Duration> scheduleInterval(String setting) {
        String value = setting.strip();
        if (value.equalsIgnoreCase("off") || value.equalsIgnoreCase("disabled")) {
            return Optional.empty();
        }
        Duration interval;
        try {
            interval = DurationConverter.parseDuration(value);
        } catch (IllegalArgumentException e) {
            interval = null;
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(
                    "drydock.gc.interval must be a positive duration such as 24h, or off: " + setting);
        }
        return Optional.of(interval);
    }

    /** How often a collection runs by itself (a real one completed within it: none); empty when off. */
    public Optional<Duration> interval() {
        return interval;
    }

    /** How long a link or blob a client was told of is left alone; a manifest push fits in it. */
    public Duration grace() {
        return grace;
    }

    /** How stale a link's {@code touched_at} may get before a read writes it again: a tenth of the grace. */
    public Duration touchInterval() {
        return grace.dividedBy(10);
    }

    /** Where registry-api's tables live: its {@code blob_reference} view, its {@code access_withdrawal} table. */
    public String registrySchema() {
        return registrySchema;
    }

    /** Waits for the blob's file lock and holds it until the transaction ends. */
    public static void lockBlobFile(Connection c, Digest digest) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(" + FILE_KEY + ")")) {
            lock.setString(1, digest.toString());
            lock.executeQuery().close();
        }
    }

    /** The blob's file lock until the transaction ends, if nobody holds it; false at once otherwise. */
    static boolean tryLockBlobFile(Connection c, String digest) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(" + FILE_KEY + ")")) {
            lock.setString(1, digest);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
