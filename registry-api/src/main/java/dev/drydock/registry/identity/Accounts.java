package dev.drydock.registry.identity;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.IdentityEvents;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** User accounts: sign-up, password sign-in, and the first admin. */
@ApplicationScoped
public class Accounts {

    private static final Logger LOG = Logger.getLogger(Accounts.class);
    public static final int MIN_PASSWORD_LENGTH = 8;
    /** Sign-in refuses longer secrets unhashed (argon2 over megabytes would be a denial of service). */
    public static final int MAX_PASSWORD_LENGTH = 4096;

    private final AgroalDataSource dataSource;
    private final Passwords passwords;
    private final Optional<String> adminPassword;

    Accounts(
            AgroalDataSource dataSource,
            Passwords passwords,
            @ConfigProperty(name = "drydock.admin-password") Optional<String> adminPassword) {
        this.dataSource = dataSource;
        this.passwords = passwords;
        this.adminPassword = adminPassword;
    }

    /** Creates user {@code admin} on first start when {@code DRYDOCK_ADMIN_PASSWORD} is set. */
    void bootstrapAdmin(@Observes StartupEvent startup) throws SQLException {
        if (adminPassword.isEmpty()
                || adminPassword.get().isBlank()
                || find("admin").isPresent()) {
            return;
        }
        try {
            register("admin", adminPassword.get(), true, Actor.SYSTEM);
            LOG.info("created the platform administrator 'admin'");
        } catch (IdentityException e) {
            LOG.debugf("admin was created by another instance: %s", e.getMessage());
        }
    }

    public Account register(String username, String password, Actor actor) {
        return register(username, password, false, actor);
    }

    Account register(String username, String password, boolean admin, Actor actor) {
        String problem = Names.problem(username);
        if (problem != null) {
            throw new IdentityException(400, "The username " + problem + ".", "username");
        }
        if (password == null || password.length() < MIN_PASSWORD_LENGTH || password.length() > MAX_PASSWORD_LENGTH) {
            throw new IdentityException(
                    400,
                    "The password must have " + MIN_PASSWORD_LENGTH + " to " + MAX_PASSWORD_LENGTH + " characters.",
                    "password");
        }
        String hash = passwords.hash(password);
        return QuarkusTransaction.requiringNew().call(() -> insert(username, hash, admin, actor));
    }

    private Account insert(String username, String hash, boolean admin, Actor actor) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!claimNamespace(c, username, "user")) {
                throw new IdentityException(409, "The name " + username + " is taken.", "username");
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO account (username, password_hash, admin) VALUES (?, ?, ?) RETURNING id")) {
                insert.setString(1, username);
                insert.setString(2, hash);
                insert.setBoolean(3, admin);
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    Outbox.append(c, Event.of(Repositories.SOURCE, actor, new IdentityEvents.UserRegistered(username)));
                    return new Account(rs.getLong(1), username, admin);
                }
            }
        }
    }

    /** Reserves a user or organisation name; false if any namespace already has it. */
    static boolean claimNamespace(Connection c, String name, String kind) throws SQLException {
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO namespace (name, kind) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, name);
            insert.setString(2, kind);
            return insert.executeUpdate() == 1;
        }
    }

    /** The account when the password is right; the same work is done when the user does not exist. */
    public Optional<Account> authenticate(String username, String password) throws SQLException {
        String hash = null;
        Account account = null;
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT id, username, admin, password_hash FROM account WHERE username = ?")) {
            select.setString(1, username);
            try (ResultSet rs = select.executeQuery()) {
                if (rs.next()) {
                    account = new Account(rs.getLong(1), rs.getString(2), rs.getBoolean(3));
                    hash = rs.getString(4);
                }
            }
        }
        return passwords.verify(hash, password) ? Optional.ofNullable(account) : Optional.empty();
    }

    public Optional<Account> find(String username) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT id, username, admin FROM account WHERE username = ?")) {
            select.setString(1, username);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Account(rs.getLong(1), rs.getString(2), rs.getBoolean(3)))
                        : Optional.empty();
            }
        }
    }
}
