package dev.drydock.registry.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** An account's membership of an organisation, with its role there. */
@Entity
@Table(name = "organization_member")
@IdClass(OrganizationMemberEntity.Key.class)
public class OrganizationMemberEntity extends PanacheEntityBase {

    public record Key(String organization, long accountId) {}

    @Id
    public String organization;

    @Id
    @Column(name = "account_id")
    public long accountId;

    @Convert(converter = Role.Stored.class)
    public Role role;
}
