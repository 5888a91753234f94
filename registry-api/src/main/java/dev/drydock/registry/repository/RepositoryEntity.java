package dev.drydock.registry.repository;

import dev.drydock.oci.RepositoryName;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;
import java.util.Optional;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A repository and its settings. Pushes create repositories in SQL of their own, on the manifest's
 * transaction ({@link Repositories#ensure}); its visibility, description and README change here.
 */
@Entity
@DynamicUpdate
@Table(name = "repository")
public class RepositoryEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    @Convert(converter = Visibility.Stored.class)
    public Visibility visibility;

    public String description;

    public String readme;

    /** The repository with its row locked for the rest of the transaction: its settings change one at a time. */
    static Optional<RepositoryEntity> locked(RepositoryName name) {
        return RepositoryEntity.<RepositoryEntity>find("name", name.value())
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    /** False when it has that visibility already. */
    boolean changeVisibility(Visibility visibility) {
        if (visibility == this.visibility) {
            return false;
        }
        this.visibility = visibility;
        return true;
    }

    /** False when both are so already. */
    boolean describe(String description, String readme) {
        if (description.equals(this.description) && readme.equals(this.readme)) {
            return false;
        }
        this.description = description;
        this.readme = readme;
        return true;
    }

    /** The repository with a shared lock on its row: it cannot be deleted before the transaction ends. */
    static Optional<RepositoryEntity> shared(RepositoryName name) {
        return RepositoryEntity.<RepositoryEntity>find("name", name.value())
                .withLock(LockModeType.PESSIMISTIC_READ)
                .firstResultOptional();
    }
}
