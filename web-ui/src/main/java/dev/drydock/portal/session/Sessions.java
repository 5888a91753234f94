package dev.drydock.portal.session;

import dev.drydock.portal.PortalConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Browser sessions in the portal's schema. A session is what the platform's sign-in gave: a
 * short-lived access token, renewed with the refresh token as it runs out, and a refresh token that
 * signing out revokes. The browser holds only a random id; the table keeps its SHA-256 and the
 * tokens sealed with a key derived from the id (see {@link SessionSeal}).
 */
@ApplicationScoped
public class Sessions {

    private static final Logger LOG = Logger.getLogger(Sessions.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration RENEW_BEFORE = Duration.ofSeconds(30);
    private static final String SERVICE = "drydock";

    private final AgroalDataSource dataSource;
    private final SignInClient signIn;
    private final PortalConfig config;

    Sessions(AgroalDataSource dataSource, @RestClient SignInClient signIn, PortalConfig config) {
        this.dataSource = dataSource;
        this.signIn = signIn;
        this.config = config;
    }

    public record Opened(String cookieValue, Session session) {}

    /** Signs in with the platform and keeps the session; the platform's refusal is thrown as it came. */
    public Opened open(String username, String password) throws SQLException {
        SignInClient.SessionTokens tokens = signIn.signIn(Map.of("username", username, "password", password));
        String cookie = randomToken();
        Session session = new Session(
                cookie,
                tokens.username(),
                randomToken(),
                tokens.accessToken(),
                tokens.expiresAt(),
                tokens.refreshToken(),
                Instant.now().plus(config.sessionLifetime()));
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement purge = c.prepareStatement("DELETE FROM portal_session WHERE expires_at < now()")) {
                purge.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO portal_session (id_hash, username,"
                    + " csrf_token, access_token_sealed, access_expires, refresh_token_sealed, expires_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, session.idHash());
                insert.setString(2, session.username());
                insert.setString(3, session.csrfToken());
                insert.setString(4, SessionSeal.seal(cookie, SessionSeal.Kind.ACCESS, session.accessToken()));
                insert.setTimestamp(5, Timestamp.from(session.accessExpires()));
                insert.setString(6, SessionSeal.seal(cookie, SessionSeal.Kind.REFRESH, session.refreshToken()));
                insert.setTimestamp(7, Timestamp.from(session.expiresAt()));
                insert.executeUpdate();
            }
        }
        return new Opened(cookie, session);
    }

    public Optional<Session> find(String cookieValue) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT username, csrf_token, access_token_sealed,"
                        + " access_expires, refresh_token_sealed, expires_at FROM portal_session"
                        + " WHERE id_hash = ? AND expires_at > now()")) {
            select.setString(1, SessionSeal.idHash(cookieValue));
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Session(
                        cookieValue,
                        rs.getString(1),
                        rs.getString(2),
                        SessionSeal.open(cookieValue, SessionSeal.Kind.ACCESS, rs.getString(3)),
                        rs.getTimestamp(4).toInstant(),
                        SessionSeal.open(cookieValue, SessionSeal.Kind.REFRESH, rs.getString(5)),
                        rs.getTimestamp(6).toInstant()));
            } catch (GeneralSecurityException e) {
                LOG.warnf(
                        "a session's tokens do not open with its cookie; treating it as signed out: %s",
                        e.getMessage());
                return Optional.empty();
            }
        }
    }

    /** The session with an access token good for a while yet; empty when the platform ended it. */
    Optional<Session> current(Session session) {
        if (session.accessExpires().isAfter(Instant.now().plus(RENEW_BEFORE))) {
            return Optional.of(session);
        }
        try {
            SignInClient.TokenGrant grant = signIn.refresh("refresh_token", session.refreshToken(), SERVICE, null);
            Session renewed = new Session(
                    session.cookie(),
                    session.username(),
                    session.csrfToken(),
                    grant.token(),
                    Instant.now().plusSeconds(grant.expires_in()),
                    session.refreshToken(),
                    session.expiresAt());
            update(renewed);
            return Optional.of(renewed);
        } catch (WebApplicationException e) {
            LOG.debugf("the session of %s ended: %s", session.username(), e.getMessage());
            delete(session);
            return Optional.empty();
        }
    }

    /** A registry token for {@code scope}: for the session's user, or anonymous. */
    String registryToken(Session session, String scope) {
        if (session == null) {
            return signIn.anonymous(SERVICE, scope).token();
        }
        return signIn.refresh("refresh_token", session.refreshToken(), SERVICE, scope)
                .token();
    }

    /** Signs out: the platform revokes the refresh token, the session row goes. */
    public void close(Session session) {
        try {
            signIn.signOut(Map.of("refreshToken", session.refreshToken()));
        } catch (WebApplicationException e) {
            LOG.debugf("the platform had ended the session already: %s", e.getMessage());
        }
        delete(session);
    }

    private void update(Session session) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement update = c.prepareStatement(
                        "UPDATE portal_session SET access_token_sealed = ?, access_expires = ? WHERE id_hash = ?")) {
            update.setString(1, SessionSeal.seal(session.cookie(), SessionSeal.Kind.ACCESS, session.accessToken()));
            update.setTimestamp(2, Timestamp.from(session.accessExpires()));
            update.setString(3, session.idHash());
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot keep the renewed session", e);
        }
    }

    private void delete(Session session) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement delete = c.prepareStatement("DELETE FROM portal_session WHERE id_hash = ?")) {
            delete.setString(1, session.idHash());
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot end the session", e);
        }
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
