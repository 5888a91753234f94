package dev.drydock.registry.manifest;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventData;
import dev.drydock.events.RegistryEvents;
import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.Tag;
import dev.drydock.outbox.BlobReferenceLock;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.repository.Repositories;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Manifests and the tags that point at them; every change commits with its events. */
@ApplicationScoped
public class Manifests {

    private final AgroalDataSource dataSource;
    private final Repositories repositories;
    private final PullEvents pullEvents;
    private final ManifestCache cache;
    /** Prune's grace period: how long a pushed manifest counts as young (see {@code Pruner}). */
    private final Duration grace;

    Manifests(
            AgroalDataSource dataSource,
            Repositories repositories,
            PullEvents pullEvents,
            ManifestCache cache,
            @ConfigProperty(name = "drydock.gc.grace", defaultValue = "PT1H") Duration grace) {
        this.grace = grace;
        this.dataSource = dataSource;
        this.repositories = repositories;
        this.pullEvents = pullEvents;
        this.cache = cache;
    }

    /** What layer-store says of a manifest's blobs. */
    @FunctionalInterface
    public interface LinkCheck {
        /**
         * The manifest, with its platform read from its image config if it has one, once the
         * repository links every blob it references.
         *
         * @throws OciException MANIFEST_BLOB_UNKNOWN naming a blob the repository does not link
         */
        ParsedManifest check(ParsedManifest manifest);
    }

    /**
     * Stores a manifest (and moves {@code tags} to it), creating the repository on first push.
     * Every blob it references must be linked in the repository and every manifest an index lists
     * must be in it. Both are checked inside this transaction, under locks that a concurrent prune
     * or garbage collection respects (docs/garbage-collection.md): the blobs' reference locks are
     * held from before {@code linked} asks layer-store until the manifest and its references
     * commit, and the listed manifests' rows are locked against deletion.
     */
    @Transactional
    public void push(RepositoryName name, ParsedManifest pushed, List<Tag> tags, Actor actor, LinkCheck linked)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long repository = repositories.ensure(c, name, actor);
            cache.changing(repository);
            BlobReferenceLock.share(
                    c,
                    name.value(),
                    pushed.blobs().stream().map(Digest::toString).toList());
            ParsedManifest manifest = linked.check(pushed);
            for (Digest child : manifest.children()) {
                if (!lockAgainstDeletion(c, repository, child)) {
                    throw new OciException(
                            ErrorCode.MANIFEST_BLOB_UNKNOWN,
                            "the index lists a manifest this repository does not have",
                            child.toString());
                }
            }
            while (!lockAgainstDeletion(c, repository, manifest.digest())) {
                if (insert(c, repository, manifest)) {
                    List<String> references = (manifest.children().isEmpty() ? manifest.blobs() : manifest.children())
                            .stream().map(Digest::toString).toList();
                    emit(
                            c,
                            actor,
                            new RegistryEvents.ManifestPushed(
                                    name.value(),
                                    manifest.digest().toString(),
                                    manifest.mediaType(),
                                    manifest.content().length,
                                    manifest.artifactType(),
                                    manifest.subject() == null
                                            ? null
                                            : manifest.subject().toString(),
                                    references,
                                    manifest.totalSize(),
                                    manifest.platforms()));
                    break;
                }
                // stored meanwhile by another push, or being removed by a prune: look again
            }
            touch(c, repository, manifest.digest());
            for (Tag tag : tags) {
                pointTag(c, repository, name, tag, manifest.digest(), actor);
            }
        }
    }

    /**
     * Locks a stored manifest's row until the transaction ends, so that a prune cannot remove it
     * under a tag or an index being pointed at it; false if there is no such manifest (a prune
     * that held it and removed it has committed by the time this answers).
     */
    private static boolean lockAgainstDeletion(Connection c, long repository, Digest digest) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT 1 FROM manifest WHERE repository_id = ? AND digest = ? FOR KEY SHARE")) {
            select.setLong(1, repository);
            select.setString(2, digest.toString());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Locks the manifests an index lists, as {@link #lockAgainstDeletion} locks one, so that a tag
     * pointed at a stored index never reaches a child a prune removed meanwhile.
     *
     * @throws OciException MANIFEST_UNKNOWN when a child is gone
     */
    private static void lockChildren(Connection c, long repository, RepositoryName name, Digest index)
            throws SQLException {
        List<String> children = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT referenced FROM manifest_reference"
                + " WHERE repository_id = ? AND manifest_digest = ? AND kind = 'manifest'")) {
            select.setLong(1, repository);
            select.setString(2, index.toString());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    children.add(rs.getString(1));
                }
            }
        }
        for (String child : children) {
            if (!lockAgainstDeletion(c, repository, Digest.parse(child))) {
                throw new OciException(
                        ErrorCode.MANIFEST_UNKNOWN, "the index lists a manifest this repository no longer has", child);
            }
        }
    }

    /**
     * A push of stored bytes (or a tag pointed at them) counts as a push for prune's grace period;
     * written at most once per tenth of it, as layer-store touches links.
     */
    private void touch(Connection c, long repository, Digest digest) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE manifest SET touched_at = now()"
                + " WHERE repository_id = ? AND digest = ? AND touched_at < now() - make_interval(secs => ?)")) {
            update.setLong(1, repository);
            update.setString(2, digest.toString());
            update.setDouble(3, grace.toMillis() / 10_000.0);
            update.executeUpdate();
        }
    }

    /** Inserts the manifest and what it references; false if it is stored already. */
    private static boolean insert(Connection c, long repository, ParsedManifest manifest) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO manifest (repository_id, digest, media_type, content, artifact_type, subject_digest)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setLong(1, repository);
            insert.setString(2, manifest.digest().toString());
            insert.setString(3, manifest.mediaType());
            insert.setBytes(4, manifest.content());
            insert.setString(5, manifest.artifactType());
            insert.setString(
                    6, manifest.subject() == null ? null : manifest.subject().toString());
            if (insert.executeUpdate() == 0) {
                return false;
            }
        }
        try (PreparedStatement reference = c.prepareStatement(
                "INSERT INTO manifest_reference"
                        + " (repository_id, manifest_digest, referenced, kind, size) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (int i = 0; i < manifest.blobs().size(); i++) {
                addReference(
                        reference,
                        repository,
                        manifest,
                        manifest.blobs().get(i),
                        "blob",
                        manifest.blobSizes().get(i));
            }
            for (Digest child : manifest.children()) {
                addReference(reference, repository, manifest, child, "manifest", null);
            }
            reference.executeBatch();
        }
        return true;
    }

    private static void addReference(
            PreparedStatement reference,
            long repository,
            ParsedManifest manifest,
            Digest referenced,
            String kind,
            Long size)
            throws SQLException {
        reference.setLong(1, repository);
        reference.setString(2, manifest.digest().toString());
        reference.setString(3, referenced.toString());
        reference.setString(4, kind);
        reference.setObject(5, size, Types.BIGINT);
        reference.addBatch();
    }

    private void pointTag(Connection c, long repository, RepositoryName name, Tag tag, Digest digest, Actor actor)
            throws SQLException {
        while (true) {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT digest FROM tag WHERE repository_id = ? AND name = ? FOR UPDATE")) {
                select.setLong(1, repository);
                select.setString(2, tag.value());
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        String previous = rs.getString(1);
                        if (previous.equals(digest.toString())) {
                            return;
                        }
                        try (PreparedStatement update = c.prepareStatement(
                                "UPDATE tag SET digest = ?, updated_at = now() WHERE repository_id = ? AND name = ?")) {
                            update.setString(1, digest.toString());
                            update.setLong(2, repository);
                            update.setString(3, tag.value());
                            update.executeUpdate();
                        }
                        emit(
                                c,
                                actor,
                                new RegistryEvents.TagMoved(name.value(), tag.value(), digest.toString(), previous));
                        return;
                    }
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO tag (repository_id, name, digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                insert.setLong(1, repository);
                insert.setString(2, tag.value());
                insert.setString(3, digest.toString());
                if (insert.executeUpdate() == 1) {
                    emit(c, actor, new RegistryEvents.TagCreated(name.value(), tag.value(), digest.toString()));
                    return;
                }
            }
            // another push created the tag meanwhile: go round and move it
        }
    }

    /**
     * Points a tag at a manifest the repository has (restoring it from the tag's history).
     *
     * @throws OciException MANIFEST_UNKNOWN when the repository has no such manifest
     */
    @Transactional
    public void retag(RepositoryName name, Tag tag, Digest digest, Actor actor) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long repository = repositories.require(c, name);
            cache.changing(repository);
            if (!lockAgainstDeletion(c, repository, digest)) {
                throw unknown(name, digest.toString());
            }
            lockChildren(c, repository, name, digest);
            touch(c, repository, digest);
            pointTag(c, repository, name, tag, digest, actor);
        }
    }

    /**
     * Deletes by digest (the manifest and every tag on it) or by tag (the tag alone).
     *
     * @throws OciException MANIFEST_UNKNOWN when there is nothing of that reference
     */
    @Transactional
    public void delete(RepositoryName name, String reference, Actor actor) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long repository = repositories.require(c, name);
            cache.changing(repository);
            if (!Digest.looksLikeDigest(reference)) {
                if (!Tag.isValid(reference)) {
                    throw unknown(name, reference); // no tag can have that name: there is nothing of it to delete
                }
                Tag tag = new Tag(reference);
                try (PreparedStatement delete =
                        c.prepareStatement("DELETE FROM tag WHERE repository_id = ? AND name = ? RETURNING digest")) {
                    delete.setLong(1, repository);
                    delete.setString(2, tag.value());
                    try (ResultSet rs = delete.executeQuery()) {
                        if (!rs.next()) {
                            throw unknown(name, reference);
                        }
                        emit(c, actor, new RegistryEvents.TagDeleted(name.value(), tag.value(), rs.getString(1)));
                    }
                }
                return;
            }
            Digest digest = digestOrUnknown(name, reference);
            try (PreparedStatement tags =
                    c.prepareStatement("DELETE FROM tag WHERE repository_id = ? AND digest = ? RETURNING name")) {
                tags.setLong(1, repository);
                tags.setString(2, digest.toString());
                try (ResultSet rs = tags.executeQuery()) {
                    while (rs.next()) {
                        emit(c, actor, new RegistryEvents.TagDeleted(name.value(), rs.getString(1), digest.toString()));
                    }
                }
            }
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM manifest WHERE repository_id = ? AND digest = ?")) {
                delete.setLong(1, repository);
                delete.setString(2, digest.toString());
                if (delete.executeUpdate() == 0) {
                    throw unknown(name, reference);
                }
            }
            emit(c, actor, new RegistryEvents.ManifestDeleted(name.value(), digest.toString()));
        }
    }

    /** Manifests of the repository whose {@code subject} is the digest, oldest first. */
    public List<StoredManifest> referrers(RepositoryName name, Digest subject) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long repository = repositories.require(c, name);
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT digest, media_type, content, subject_digest,"
                            + " artifact_type FROM manifest WHERE repository_id = ? AND subject_digest = ? ORDER BY pushed_at, digest")) {
                select.setLong(1, repository);
                select.setString(2, subject.toString());
                return readAll(select);
            }
        }
    }

    public void pulled(RepositoryName name, String reference, StoredManifest manifest, Actor actor)
            throws SQLException {
        pullEvents.record(pull(name, reference, manifest, actor));
    }

    /** Records the pull if that needs no waiting (see {@link PullEvents#offer}); false if it needs {@link #pulled}. */
    public boolean pulledWithoutWaiting(RepositoryName name, String reference, StoredManifest manifest, Actor actor) {
        return pullEvents.offer(pull(name, reference, manifest, actor));
    }

    private static PullEvents.Pull pull(RepositoryName name, String reference, StoredManifest manifest, Actor actor) {
        return new PullEvents.Pull(
                actor,
                name.value(),
                reference,
                manifest.digest(),
                manifest.mediaType(),
                !Digest.looksLikeDigest(reference),
                Instant.now());
    }

    /** The manifest the cache holds for this reference, or null: no database, no blocking. */
    public StoredManifest kept(RepositoryName name, String reference) {
        return cache.get(name.value(), reference);
    }

    /** The manifest a tag or digest names: kept in {@link ManifestCache} after the first time. */
    public StoredManifest resolve(RepositoryName name, String reference) throws SQLException {
        StoredManifest kept = cache.get(name.value(), reference);
        if (kept != null) {
            return kept;
        }
        long generation = cache.generation();
        try (Connection c = dataSource.getConnection()) {
            long repository = repositories.require(c, name);
            Optional<StoredManifest> found;
            if (Digest.looksLikeDigest(reference)) {
                found = find(c, repository, digestOrUnknown(name, reference));
            } else if (!Tag.isValid(reference)) {
                // the spec answers a manifest that is not found with 404, whatever the reference looks
                // like; only a push with an invalid tag is refused as TAG_INVALID
                found = Optional.empty();
            } else {
                Tag tag = new Tag(reference);
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT m.digest, m.media_type, m.content, m.subject_digest, m.artifact_type FROM tag t JOIN manifest m"
                                + " ON m.repository_id = t.repository_id AND m.digest = t.digest"
                                + " WHERE t.repository_id = ? AND t.name = ?")) {
                    select.setLong(1, repository);
                    select.setString(2, tag.value());
                    found = read(select);
                }
            }
            StoredManifest manifest = found.orElseThrow(() -> unknown(name, reference));
            cache.keep(generation, name.value(), reference, repository, manifest);
            return manifest;
        }
    }

    private static Optional<StoredManifest> find(Connection c, long repository, Digest digest) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT digest, media_type, content, subject_digest, artifact_type FROM manifest WHERE repository_id = ? AND digest = ?")) {
            select.setLong(1, repository);
            select.setString(2, digest.toString());
            return read(select);
        }
    }

    private static Optional<StoredManifest> read(PreparedStatement select) throws SQLException {
        return readAll(select).stream().findFirst();
    }

    private static List<StoredManifest> readAll(PreparedStatement select) throws SQLException {
        List<StoredManifest> found = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                found.add(new StoredManifest(
                        rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getString(4), rs.getString(5)));
            }
        }
        return found;
    }

    /** The digest a reference names; one that is no well-formed digest names no manifest (404, as any not found). */
    private static Digest digestOrUnknown(RepositoryName name, String reference) {
        try {
            return Digest.parse(reference);
        } catch (OciException notADigest) {
            throw unknown(name, reference);
        }
    }

    private static OciException unknown(RepositoryName name, String reference) {
        return new OciException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown to repository " + name, reference);
    }

    private static void emit(Connection c, Actor actor, EventData data) throws SQLException {
        Outbox.append(c, Event.of(DomainEvents.SOURCE, actor, data));
    }
}
