package dev.drydock.registry.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

@Entity
@Table(name = "team_member")
@IdClass(TeamMemberEntity.Key.class)
public class TeamMemberEntity extends PanacheEntityBase {

    public record Key(String organization, String team, long accountId) {}

    @Id
    public String organization;

    @Id
    public String team;

    @Id
    @Column(name = "account_id")
    public long accountId;
}
