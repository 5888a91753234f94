package dev.drydock.registry.auth;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code access_withdrawal}: see {@link dev.drydock.oci.token.AccessWithdrawal}. */
@Entity
@Table(name = "access_withdrawal")
public class AccessWithdrawalEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** A repository name, or a namespace ending with a slash. */
    public String scope;

    /** The user whose tokens it ends; null for everyone's. */
    public String subject;

    @Column(name = "withdrawn_at")
    public Instant withdrawnAt;
}
