package dev.drydock.events;

import java.util.List;

/** Events about repositories and their content, keyed by repository name. */
public final class RegistryEvents {

    private RegistryEvents() {}

    public record RepositoryCreated(String repository, String visibility) implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record VisibilityChanged(String repository, String visibility) implements EventData {
        public String subject() {
            return repository;
        }
    }

    /** The repository is gone, with its tags and manifests (each deletion emitted before this). */
    public record RepositoryDeleted(String repository) implements EventData {
        public String subject() {
            return repository;
        }
    }

    /** The repository's one-line description and its README (Markdown), both as they are now. */
    public record DescriptionChanged(String repository, String description, String readme) implements EventData {
        public String subject() {
            return repository;
        }
    }

    /**
     * A manifest GET (HEAD is not a pull).
     *
     * @param reference the tag or digest the client asked for
     * @param byTag     whether the client named a tag (a digest GET of an index's platform manifest
     *                  is part of the pull of the index, see the README's counting rules)
     * @param count     how many pulls of this manifest, by this reference and actor, were recorded
     *                  together (schema version 2; a version 1 event is one pull)
     */
    public record ImagePulled(
            String repository, String reference, String digest, String mediaType, boolean byTag, int count)
            implements EventData {
        public ImagePulled {
            if (count < 1) {
                throw new IllegalArgumentException("a pull event counts at least one pull, not " + count);
            }
        }

        public String subject() {
            return repository;
        }
    }

    public record RepositoryStarred(String repository, String username) implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record RepositoryUnstarred(String repository, String username) implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record BlobUploaded(String repository, String digest, long size) implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record BlobMounted(String repository, String digest, long size, String fromRepository) implements EventData {
        public String subject() {
            return repository;
        }
    }

    /** The repository no longer links the blob; its bytes stay until garbage collection finds no link left. */
    public record BlobDeleted(String repository, String digest) implements EventData {
        public String subject() {
            return repository;
        }
    }

    /**
     * @param blobs the digests of the config and layers (or child manifests of an index) it references
     */
    /**
     * @param platforms {@code os/architecture[/variant]} of an image (from its config) or of each
     *                  platform of an index; empty for artifacts and when unknown (absent in events
     *                  written before it existed)
     */
    public record ManifestPushed(
            String repository,
            String digest,
            String mediaType,
            long size,
            String artifactType,
            String subjectDigest,
            List<String> blobs,
            long totalSize,
            List<String> platforms)
            implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record ManifestDeleted(String repository, String digest) implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record TagCreated(String repository, String tag, String digest) implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record TagMoved(String repository, String tag, String digest, String previousDigest) implements EventData {
        public String subject() {
            return repository;
        }
    }

    public record TagDeleted(String repository, String tag, String previousDigest) implements EventData {
        public String subject() {
            return repository;
        }
    }

    /**
     * A prune began: what it covers ({@code scope}: a repository, a namespace, or {@code *} for the
     * whole platform) and the rules it applies ({@code dangling}, and {@code until} when given).
     * Each manifest it removes follows as a {@code manifest.deleted}, then {@code prune.completed}.
     */
    public record PruneStarted(String scope, String rules, String until) implements EventData {
        public String subject() {
            return scope;
        }
    }

    /**
     * @param manifests  how many manifests the prune removed
     * @param bytesFreed the bytes of blobs no remaining manifest references, as the manifests
     *                   declared them: what garbage collection frees on disk once their links go
     */
    public record PruneCompleted(String scope, String rules, String until, int manifests, long bytesFreed)
            implements EventData {
        public String subject() {
            return scope;
        }
    }

    /**
     * A garbage collection run of layer-store's storage finished. Each link it removed was published
     * as a {@code blob.deleted} before this.
     *
     * @param links      repositories' links to blobs no manifest of theirs references, removed
     * @param blobs      stored blobs no repository linked any more, removed with their bytes
     * @param bytesFreed the bytes of those blobs
     * @param uploads    abandoned upload sessions and leftover files removed
     */
    public record GarbageCollected(String storage, int links, int blobs, long bytesFreed, int uploads)
            implements EventData {
        public String subject() {
            return storage;
        }
    }

    /**
     * The retention rules of a repository or a namespace were set, or removed ({@code policy} null).
     *
     * @param scope  the repository, or the namespace followed by {@code /*}
     * @param policy the rules as JSON ({@code {"rules":[...],"protect":[...]}})
     */
    public record RetentionChanged(String scope, String policy) implements EventData {
        public String subject() {
            return scope;
        }
    }
}
