package dev.drydock.registry.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A team of an organisation: a role on all of its repositories, or on chosen ones. */
@Entity
@Table(name = "team")
@IdClass(TeamEntity.Key.class)
public class TeamEntity extends PanacheEntityBase {

    public record Key(String organization, String name) {}

    @Id
    public String organization;

    @Id
    public String name;

    @Convert(converter = Role.Stored.class)
    public Role role;

    /** Null: every repository of the organisation; otherwise only these (full names). */
    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] repositories;
}
