package dev.drydock.registry.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.time.Instant;

/** An account's star on a repository. */
@Entity
@Table(name = "star")
@IdClass(StarEntity.Key.class)
public class StarEntity extends PanacheEntityBase {

    public record Key(long repositoryId, long accountId) {}

    @Id
    @Column(name = "repository_id")
    public long repositoryId;

    @Id
    @Column(name = "account_id")
    public long accountId;

    @Column(name = "starred_at")
    public Instant starredAt;
}
