package dev.drydock.registry.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Optional;
import org.hibernate.annotations.DynamicUpdate;

/** A user account; its password only as an argon2 hash ({@link Passwords}). */
@Entity
@DynamicUpdate
@Table(name = "account")
public class AccountEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String username;

    @Column(name = "password_hash")
    public String passwordHash;

    public boolean admin;

    static Optional<AccountEntity> byUsername(String username) {
        return find("username", username).firstResultOptional();
    }

    public Account account() {
        return new Account(id, username, admin);
    }
}
