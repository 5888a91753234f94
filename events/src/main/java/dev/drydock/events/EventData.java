package dev.drydock.events;

/** The payload of one event: a past-tense domain fact. Implementations are records. */
public sealed interface EventData
        permits RegistryEvents.RepositoryCreated,
                RegistryEvents.BlobUploaded,
                RegistryEvents.BlobMounted,
                RegistryEvents.BlobDeleted,
                RegistryEvents.ManifestPushed,
                RegistryEvents.ManifestDeleted,
                RegistryEvents.TagCreated,
                RegistryEvents.TagMoved,
                RegistryEvents.TagDeleted,
                RegistryEvents.VisibilityChanged,
                RegistryEvents.DescriptionChanged,
                RegistryEvents.RepositoryDeleted,
                RegistryEvents.ImagePulled,
                RegistryEvents.RepositoryStarred,
                RegistryEvents.RepositoryUnstarred,
                RegistryEvents.PruneStarted,
                RegistryEvents.PruneCompleted,
                RegistryEvents.GarbageCollected,
                RegistryEvents.RetentionChanged,
                IdentityEvents.UserRegistered,
                IdentityEvents.LoggedIn,
                IdentityEvents.LoginFailed,
                IdentityEvents.LoggedOut,
                IdentityEvents.TokenCreated,
                IdentityEvents.TokenRevoked,
                IdentityEvents.OrganizationCreated,
                IdentityEvents.MemberAdded,
                IdentityEvents.MemberRemoved,
                IdentityEvents.TeamChanged {

    /** The repository or user the event is about; the Kafka key and the CloudEvents subject. */
    String subject();
}
