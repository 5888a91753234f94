package dev.drydock.registry.identity;

import dev.drydock.events.Actor;
import dev.drydock.events.IdentityEvents;
import dev.drydock.registry.DomainEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** User accounts: sign-up, password sign-in, and the first admin. */
@ApplicationScoped
@ActivateRequestContext
public class Accounts {

    private static final Logger LOG = Logger.getLogger(Accounts.class);
    public static final int MIN_PASSWORD_LENGTH = 8;
    /** Sign-in refuses longer secrets unhashed (argon2 over megabytes would be a denial of service). */
    public static final int MAX_PASSWORD_LENGTH = 4096;

    private final DomainEvents events;
    private final Passwords passwords;
    private final Optional<String> adminPassword;

    Accounts(
            DomainEvents events,
            Passwords passwords,
            @ConfigProperty(name = "drydock.admin-password") Optional<String> adminPassword) {
        this.events = events;
        this.passwords = passwords;
        this.adminPassword = adminPassword;
    }

    /** Creates user {@code admin} on first start when {@code DRYDOCK_ADMIN_PASSWORD} is set. */
    void bootstrapAdmin(@Observes StartupEvent startup) {
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

    private Account insert(String username, String hash, boolean admin, Actor actor) {
        if (!NamespaceEntity.claim(username, NamespaceEntity.USER)) {
            throw new IdentityException(409, "The name " + username + " is taken.", "username");
        }
        AccountEntity account = new AccountEntity();
        account.username = username;
        account.passwordHash = hash;
        account.admin = admin;
        account.persist();
        events.emit(actor, new IdentityEvents.UserRegistered(username));
        return account.account();
    }

    /** The account when the password is right; the same work is done when the user does not exist. */
    public Optional<Account> authenticate(String username, String password) {
        Optional<AccountEntity> account = AccountEntity.byUsername(username);
        String hash = account.map(a -> a.passwordHash).orElse(null);
        return passwords.verify(hash, password) ? account.map(AccountEntity::account) : Optional.empty();
    }

    public Optional<Account> find(String username) {
        return AccountEntity.byUsername(username).map(AccountEntity::account);
    }

    public Optional<Account> find(long id) {
        return AccountEntity.<AccountEntity>findByIdOptional(id).map(AccountEntity::account);
    }
}
