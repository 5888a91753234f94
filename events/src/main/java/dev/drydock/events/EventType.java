package dev.drydock.events;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every event type: its CloudEvents type, payload record, schema version and topic. */
public enum EventType {
    REPOSITORY_CREATED("repository.created", RegistryEvents.RepositoryCreated.class, Topic.REGISTRY),
    BLOB_UPLOADED("blob.uploaded", RegistryEvents.BlobUploaded.class, Topic.REGISTRY),
    BLOB_MOUNTED("blob.mounted", RegistryEvents.BlobMounted.class, Topic.REGISTRY),
    BLOB_DELETED("blob.deleted", RegistryEvents.BlobDeleted.class, Topic.REGISTRY),
    MANIFEST_PUSHED("manifest.pushed", RegistryEvents.ManifestPushed.class, Topic.REGISTRY),
    MANIFEST_DELETED("manifest.deleted", RegistryEvents.ManifestDeleted.class, Topic.REGISTRY),
    TAG_CREATED("tag.created", RegistryEvents.TagCreated.class, Topic.REGISTRY),
    TAG_MOVED("tag.moved", RegistryEvents.TagMoved.class, Topic.REGISTRY),
    TAG_DELETED("tag.deleted", RegistryEvents.TagDeleted.class, Topic.REGISTRY),
    IMAGE_PULLED("image.pulled", RegistryEvents.ImagePulled.class, Topic.REGISTRY, 2),
    PRUNE_STARTED("prune.started", RegistryEvents.PruneStarted.class, Topic.REGISTRY),
    PRUNE_COMPLETED("prune.completed", RegistryEvents.PruneCompleted.class, Topic.REGISTRY),
    GARBAGE_COLLECTED("storage.garbage_collected", RegistryEvents.GarbageCollected.class, Topic.REGISTRY),
    RETENTION_CHANGED("retention.changed", RegistryEvents.RetentionChanged.class, Topic.REGISTRY),
    REPOSITORY_STARRED("repository.starred", RegistryEvents.RepositoryStarred.class, Topic.REGISTRY),
    REPOSITORY_UNSTARRED("repository.unstarred", RegistryEvents.RepositoryUnstarred.class, Topic.REGISTRY),
    VISIBILITY_CHANGED("repository.visibility_changed", RegistryEvents.VisibilityChanged.class, Topic.REGISTRY),
    REPOSITORY_DELETED("repository.deleted", RegistryEvents.RepositoryDeleted.class, Topic.REGISTRY),
    DESCRIPTION_CHANGED("repository.description_changed", RegistryEvents.DescriptionChanged.class, Topic.REGISTRY),
    USER_REGISTERED("user.registered", IdentityEvents.UserRegistered.class, Topic.IDENTITY),
    LOGGED_IN("user.logged_in", IdentityEvents.LoggedIn.class, Topic.IDENTITY),
    LOGIN_FAILED("user.login_failed", IdentityEvents.LoginFailed.class, Topic.IDENTITY),
    LOGGED_OUT("user.logged_out", IdentityEvents.LoggedOut.class, Topic.IDENTITY),
    TOKEN_CREATED("token.created", IdentityEvents.TokenCreated.class, Topic.IDENTITY),
    TOKEN_REVOKED("token.revoked", IdentityEvents.TokenRevoked.class, Topic.IDENTITY),
    ORGANIZATION_CREATED("organization.created", IdentityEvents.OrganizationCreated.class, Topic.IDENTITY),
    MEMBER_ADDED("organization.member_added", IdentityEvents.MemberAdded.class, Topic.IDENTITY),
    MEMBER_REMOVED("organization.member_removed", IdentityEvents.MemberRemoved.class, Topic.IDENTITY),
    TEAM_CHANGED("organization.team_changed", IdentityEvents.TeamChanged.class, Topic.IDENTITY);

    private static final String TYPE_PREFIX = "dev.drydock.";
    private static final String SCHEMA_PREFIX = "urn:drydock:schema:";

    private static final Map<String, EventType> BY_CLOUD_EVENT_TYPE =
            Arrays.stream(values()).collect(Collectors.toMap(EventType::cloudEventType, Function.identity()));
    private static final Map<Class<? extends EventData>, EventType> BY_PAYLOAD =
            Arrays.stream(values()).collect(Collectors.toMap(EventType::payloadType, Function.identity()));

    private final String name;
    private final Class<? extends EventData> payloadType;
    private final Topic topic;
    private final int version;

    EventType(String name, Class<? extends EventData> payloadType, Topic topic) {
        this(name, payloadType, topic, 1);
    }

    /**
     * @param version the schema version this release writes; it reads every earlier one too
     *                (see {@link EventCodec} for how an older payload is brought up to date)
     */
    EventType(String name, Class<? extends EventData> payloadType, Topic topic, int version) {
        this.name = name;
        this.payloadType = payloadType;
        this.topic = topic;
        this.version = version;
    }

    /** {@code <aggregate>.<verb>}, e.g. {@code tag.created}. */
    public String typeName() {
        return name;
    }

    /** {@code dev.drydock.<aggregate>.<verb>}, as it stands in the CloudEvents {@code type} attribute. */
    public String cloudEventType() {
        return TYPE_PREFIX + name;
    }

    public String dataSchema() {
        return SCHEMA_PREFIX + name + ":" + version;
    }

    public int version() {
        return version;
    }

    /** The schema version a {@code dataschema} attribute names, if it is one this release reads. */
    public Optional<Integer> readableVersion(String dataSchema) {
        String prefix = SCHEMA_PREFIX + name + ":";
        if (dataSchema == null || !dataSchema.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            int named = Integer.parseInt(dataSchema.substring(prefix.length()));
            return named >= 1 && named <= version ? Optional.of(named) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Class<? extends EventData> payloadType() {
        return payloadType;
    }

    public Topic topic() {
        return topic;
    }

    public static Optional<EventType> ofCloudEventType(String type) {
        return Optional.ofNullable(BY_CLOUD_EVENT_TYPE.get(type));
    }

    public static EventType of(EventData data) {
        return BY_PAYLOAD.get(data.getClass());
    }
}
