package dev.drydock.registry.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A name of the one namespace users and organisations share: a repository's first path component. */
@Entity
@Table(name = "namespace")
public class NamespaceEntity extends PanacheEntityBase {

    public static final String USER = "user";
    public static final String ORGANIZATION = "organization";

    @Id
    public String name;

    /** {@code user}, {@code organization} or {@code official}. */
    public String kind;

    /** Reserves the name on the caller's transaction; false if any namespace has it already. */
    static boolean claim(String name, String kind) {
        return getSession()
                        .createMutationQuery(
                                "insert into NamespaceEntity (name, kind) values (?1, ?2) on conflict do nothing")
                        .setParameter(1, name)
                        .setParameter(2, kind)
                        .executeUpdate()
                == 1;
    }
}
