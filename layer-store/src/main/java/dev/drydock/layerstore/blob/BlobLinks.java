package dev.drydock.layerstore.blob;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventData;
import dev.drydock.events.RegistryEvents;
import dev.drydock.layerstore.gc.GarbageCollection;
import dev.drydock.layerstore.storage.FilesystemBlobStore;
import dev.drydock.layerstore.upload.UploadSessions;
import dev.drydock.oci.Digest;
import dev.drydock.outbox.BlobReferenceLock;
import dev.drydock.outbox.Outbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/** Which repositories link which stored blobs; the events of linking commit with the link. */
@ApplicationScoped
public class BlobLinks {

    public static final String SOURCE = "/drydock/layer-store";

    private final AgroalDataSource dataSource;
    private final UploadSessions sessions;
    private final FilesystemBlobStore store;
    private final GarbageCollection gc;

    BlobLinks(AgroalDataSource dataSource, UploadSessions sessions, FilesystemBlobStore store, GarbageCollection gc) {
        this.dataSource = dataSource;
        this.sessions = sessions;
        this.store = store;
        this.gc = gc;
    }

    /**
     * The size of a blob if the repository links it. Answering it tells a client the blob is
     * there, so the link's {@code touched_at} is brought up to date (written at most once per
     * {@link GarbageCollection#touchInterval()}): garbage collection leaves a link told of within
     * its grace period alone.
     */
    public OptionalLong linkedSize(String repository, Digest digest) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("""
                     WITH touched AS (
                         UPDATE repository_blob SET touched_at = now()
                         WHERE repository = ? AND digest = ? AND touched_at < now() - make_interval(secs => ?)
                         RETURNING digest)
                     SELECT b.size FROM repository_blob l JOIN blob b ON b.digest = l.digest
                     WHERE l.repository = ? AND l.digest = ?""")) {
            select.setString(1, repository);
            select.setString(2, digest.toString());
            select.setDouble(3, gc.touchInterval().toMillis() / 1000.0);
            select.setString(4, repository);
            select.setString(5, digest.toString());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /**
     * The sizes of those of {@code digests} the repository links, by digest, touched as
     * {@link #linkedSize} touches one: the question a manifest push asks about all its blobs at once.
     */
    public Map<String, Long> linkedSizes(String repository, List<Digest> digests) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("""
                     WITH touched AS (
                         UPDATE repository_blob SET touched_at = now()
                         WHERE repository = ? AND digest = ANY (?) AND touched_at < now() - make_interval(secs => ?)
                         RETURNING digest)
                     SELECT l.digest, b.size FROM repository_blob l JOIN blob b ON b.digest = l.digest
                     WHERE l.repository = ? AND l.digest = ANY (?)""")) {
            // = ANY of an array, not IN over unnest(): only the first keeps to the primary key (a
            // plan that read every link of the repository took 8 ms for 2,000 links instead of 0.2)
            Array asked = c.createArrayOf(
                    "text", digests.stream().map(Digest::toString).toArray());
            select.setString(1, repository);
            select.setArray(2, asked);
            select.setDouble(3, gc.touchInterval().toMillis() / 1000.0);
            select.setString(4, repository);
            select.setArray(5, asked);
            Map<String, Long> sizes = new HashMap<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    sizes.put(rs.getString(1), rs.getLong(2));
                }
            }
            return sizes;
        }
    }

    /**
     * Records a finished upload: moves its bytes into place and commits the blob, its link to the
     * repository, the end of the session and the event together. The blob's file lock is held from
     * before the move until the commit, so the collector cannot remove the file in between.
     */
    public void uploaded(UUID session, String repository, Digest digest, long size, Actor actor) {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                GarbageCollection.lockBlobFile(c, digest);
                try (PreparedStatement blob = c.prepareStatement("INSERT INTO blob (digest, size) VALUES (?, ?)"
                        + " ON CONFLICT (digest) DO UPDATE SET touched_at = now()")) {
                    blob.setString(1, digest.toString());
                    blob.setLong(2, size);
                    blob.executeUpdate();
                }
                store.commit(session, digest);
                link(c, repository, digest);
                sessions.delete(c, session);
                Outbox.append(
                        c,
                        Event.of(SOURCE, actor, new RegistryEvents.BlobUploaded(repository, digest.toString(), size)));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot record upload of " + digest, e);
            }
        });
    }

    /**
     * Links a blob of {@code from} into {@code repository}; false if {@code from} does not link it.
     * The source's link is locked until the new one commits, so the collector cannot take it away
     * in between (it waits, and then sees the new link).
     */
    public boolean mount(String repository, String from, Digest digest, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                OptionalLong size = OptionalLong.empty();
                try (PreparedStatement source = c.prepareStatement(
                        "SELECT b.size FROM repository_blob l"
                                + " JOIN blob b ON b.digest = l.digest WHERE l.repository = ? AND l.digest = ? FOR KEY SHARE OF l")) {
                    source.setString(1, from);
                    source.setString(2, digest.toString());
                    try (ResultSet rs = source.executeQuery()) {
                        if (rs.next()) {
                            size = OptionalLong.of(rs.getLong(1));
                        }
                    }
                }
                if (size.isEmpty()) {
                    return false;
                }
                link(c, repository, digest);
                EventData mounted =
                        new RegistryEvents.BlobMounted(repository, digest.toString(), size.getAsLong(), from);
                Outbox.append(c, Event.of(SOURCE, actor, mounted));
                return true;
            }
        });
    }

    /** Removes the repository's link to a blob; false if it had none. The bytes stay for garbage collection. */
    public boolean unlink(String repository, Digest digest, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement delete =
                            c.prepareStatement("DELETE FROM repository_blob WHERE repository = ? AND digest = ?")) {
                // waits for a manifest push that checked this link and has not committed yet
                BlobReferenceLock.exclusive(c, repository, digest.toString());
                delete.setString(1, repository);
                delete.setString(2, digest.toString());
                if (delete.executeUpdate() == 0) {
                    return false;
                }
                Outbox.append(
                        c, Event.of(SOURCE, actor, new RegistryEvents.BlobDeleted(repository, digest.toString())));
                return true;
            }
        });
    }

    private static void link(Connection c, String repository, Digest digest) throws SQLException {
        try (PreparedStatement link =
                c.prepareStatement("INSERT INTO repository_blob (repository, digest) VALUES (?, ?)"
                        + " ON CONFLICT (repository, digest) DO UPDATE SET touched_at = now()")) {
            link.setString(1, repository);
            link.setString(2, digest.toString());
            link.executeUpdate();
        }
    }
}
