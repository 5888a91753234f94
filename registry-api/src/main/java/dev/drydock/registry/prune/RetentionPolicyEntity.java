package dev.drydock.registry.prune;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The retention rules of a repository or of a namespace, as the API took them (JSON). */
@Entity
@Table(name = "retention_policy")
@IdClass(RetentionPolicyEntity.Key.class)
public class RetentionPolicyEntity extends PanacheEntityBase {

    /** @param kind {@code repository} or {@code namespace} */
    public record Key(String kind, String name) {}

    @Id
    public String kind;

    @Id
    public String name;

    @JdbcTypeCode(SqlTypes.JSON)
    public String policy;

    @Column(name = "updated_by")
    public String updatedBy;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
