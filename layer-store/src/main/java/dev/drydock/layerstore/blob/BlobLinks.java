package dev.drydock.layerstore.blob;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventData;
import dev.drydock.events.RegistryEvents;
import dev.drydock.layerstore.upload.UploadSessions;
import dev.drydock.oci.Digest;
import dev.drydock.outbox.Outbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.UUID;

/** Which repositories link which stored blobs; the events of linking commit with the link. */
@ApplicationScoped
public class BlobLinks {

    public static final String SOURCE = "/drydock/layer-store";

    private final AgroalDataSource dataSource;
    private final UploadSessions sessions;

    BlobLinks(AgroalDataSource dataSource, UploadSessions sessions) {
        this.dataSource = dataSource;
        this.sessions = sessions;
    }

    /** The size of a blob if the repository links it. */
    public OptionalLong linkedSize(String repository, Digest digest) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT b.size FROM repository_blob l JOIN blob b ON b.digest = l.digest"
                             + " WHERE l.repository = ? AND l.digest = ?")) {
            select.setString(1, repository);
            select.setString(2, digest.toString());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Records a finished upload: the blob, its link to the repository, the end of the session, the event. */
    public void uploaded(UUID session, String repository, Digest digest, long size, Actor actor) {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement blob = c.prepareStatement(
                        "INSERT INTO blob (digest, size) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING")) {
                    blob.setString(1, digest.toString());
                    blob.setLong(2, size);
                    blob.executeUpdate();
                }
                link(c, repository, digest);
                sessions.delete(c, session);
                Outbox.append(c, Event.of(SOURCE, actor, new RegistryEvents.BlobUploaded(repository, digest.toString(), size)));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot record upload of " + digest, e);
            }
        });
    }

    /** Links a blob of {@code from} into {@code repository}; false if {@code from} does not link it. */
    public boolean mount(String repository, String from, Digest digest, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                OptionalLong size = linkedSize(from, digest);
                if (size.isEmpty()) {
                    return false;
                }
                link(c, repository, digest);
                EventData mounted = new RegistryEvents.BlobMounted(repository, digest.toString(), size.getAsLong(), from);
                Outbox.append(c, Event.of(SOURCE, actor, mounted));
                return true;
            }
        });
    }

    /** Removes the repository's link to a blob; false if it had none. The bytes stay for garbage collection. */
    public boolean unlink(String repository, Digest digest, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement delete = c.prepareStatement(
                         "DELETE FROM repository_blob WHERE repository = ? AND digest = ?")) {
                delete.setString(1, repository);
                delete.setString(2, digest.toString());
                if (delete.executeUpdate() == 0) {
                    return false;
                }
                Outbox.append(c, Event.of(SOURCE, actor, new RegistryEvents.BlobDeleted(repository, digest.toString())));
                return true;
            }
        });
    }

    private static void link(Connection c, String repository, Digest digest) throws SQLException {
        try (PreparedStatement link = c.prepareStatement(
                "INSERT INTO repository_blob (repository, digest) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            link.setString(1, repository);
            link.setString(2, digest.toString());
            link.executeUpdate();
        }
    }
}
