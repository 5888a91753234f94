package dev.drydock.layerstore.upload;

import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Upload sessions in the database, so that an upload survives a layer-store restart. */
@ApplicationScoped
public class UploadSessions {

    private final AgroalDataSource dataSource;

    UploadSessions(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records a new upload session. Its commit does not wait for the flush to disk ({@code
     * synchronous_commit = off} for this transaction only): a session is no accepted push, and the
     * few milliseconds of sessions a database crash could lose only make their clients' next
     * request answer 404 {@code BLOB_UPLOAD_UNKNOWN}, upon which clients start the upload again.
     * Everything that accepts bytes or a blob (a PATCH's progress, the final PUT) commits durably,
     * and flushes this commit with its own.
     */
    public UploadSession start(String repository) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement unflushed = c.createStatement();
                    PreparedStatement insert =
                            c.prepareStatement("INSERT INTO upload_session (id, repository) VALUES (?, ?)")) {
                unflushed.execute("SET LOCAL synchronous_commit TO OFF");
                insert.setObject(1, id);
                insert.setString(2, repository);
                insert.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return new UploadSession(id, repository, 0);
    }

    /** @throws OciException BLOB_UPLOAD_UNKNOWN when there is no such session for this repository */
    public UploadSession find(String repository, String id) throws SQLException {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw unknown(id);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT received FROM upload_session WHERE id = ? AND repository = ?")) {
            select.setObject(1, uuid);
            select.setString(2, repository);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw unknown(id);
                }
                return new UploadSession(uuid, repository, rs.getLong(1));
            }
        }
    }

    /** Records that a chunk was appended; fails if another request appended meanwhile. */
    public UploadSession advance(UploadSession session, long received) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement update = c.prepareStatement(
                        "UPDATE upload_session SET received = ?, updated_at = now() WHERE id = ? AND received = ?")) {
            update.setLong(1, received);
            update.setObject(2, session.id());
            update.setLong(3, session.received());
            if (update.executeUpdate() != 1) {
                throw new OciException(
                        ErrorCode.BLOB_UPLOAD_INVALID,
                        "upload " + session.id() + " was changed by a concurrent request");
            }
        }
        return new UploadSession(session.id(), session.repository(), received);
    }

    public void delete(Connection c, UUID id) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM upload_session WHERE id = ?")) {
            delete.setObject(1, id);
            delete.executeUpdate();
        }
    }

    public boolean exists(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT 1 FROM upload_session WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    public void delete(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            delete(c, id);
        }
    }

    /** Removes sessions untouched for longer than {@code age}; returns their ids. */
    public List<UUID> expire(Duration age) throws SQLException {
        List<UUID> expired = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM upload_session WHERE updated_at < now() - make_interval(secs => ?) RETURNING id")) {
            delete.setDouble(1, age.toSeconds());
            try (ResultSet rs = delete.executeQuery()) {
                while (rs.next()) {
                    expired.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return expired;
    }

    /** How many sessions {@link #expire} would remove now. */
    public int countExpired(Duration age) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement count = c.prepareStatement(
                        "SELECT count(*) FROM upload_session WHERE updated_at < now() - make_interval(secs => ?)")) {
            count.setDouble(1, age.toSeconds());
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static OciException unknown(String id) {
        return new OciException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + id + " is unknown to this repository");
    }
}
