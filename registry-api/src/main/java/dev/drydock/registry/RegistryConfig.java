package dev.drydock.registry;

import dev.drydock.registry.manifest.PullEvents;
import dev.drydock.registry.repository.Visibility;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "drydock.registry")
public interface RegistryConfig {

    /** Failed sign-ins from one client address, across user names, within 5 minutes before sign-ins from it wait. */
    @WithDefault("30")
    int loginFailuresPerAddress();

    /** Where layer-store answers; blob requests are forwarded there ({@code DRYDOCK_REGISTRY_LAYER_STORE_URL}). */
    @WithDefault("http://127.0.0.1:5100")
    URI layerStoreUrl();

    /** Where audit-service answers; the read API under /api/v1 is forwarded there ({@code DRYDOCK_REGISTRY_AUDIT_URL}). */
    @WithDefault("http://127.0.0.1:5200")
    URI auditUrl();

    /**
     * How blob GETs reach clients ({@code DRYDOCK_REGISTRY_BLOB_READS}): {@code proxy} streams them
     * from layer-store through this service; {@code local} sends the file from the store directory
     * this service shares with layer-store ({@link #storeDir()}), once layer-store confirms the
     * read; {@code redirect} answers 307 to a short-lived signed layer-store URL, as Docker Hub does
     * with its CDN.
     */
    @WithDefault("proxy")
    BlobReads blobReads();

    /**
     * layer-store's storage directory, as this service reads it, for {@code local} blob reads
     * ({@code DRYDOCK_REGISTRY_STORE_DIR}).
     */
    Optional<Path> storeDir();

    /** layer-store as clients reach it, for redirects; by default {@link #layerStoreUrl()}. */
    Optional<URI> layerStorePublicUrl();

    /** How a manifest GET's {@code image.pulled} event is written (see {@link PullEvents.Mode}). */
    @WithDefault("queued")
    PullEvents.Mode pullEvents();

    /** How long a redirect URL to a blob stays valid. */
    @WithDefault("60s")
    Duration blobRedirectLifetime();

    enum BlobReads {
        PROXY,
        LOCAL,
        REDIRECT
    }

    /** Visibility of repositories created by a first push. */
    DefaultVisibility defaultVisibility();

    /** The {@code service} of registry tokens, as clients name it in token requests. */
    @WithDefault("drydock")
    String tokenService();

    /**
     * The token endpoint clients are sent to in {@code WWW-Authenticate}; empty means the front
     * door's own {@code /token} as the client addressed it.
     */
    Optional<String> tokenRealm();

    /** How long a registry token is valid. */
    @WithDefault("5m")
    Duration tokenLifetime();

    /** How long a refresh token (docker login, portal session) is valid. */
    @WithDefault("30d")
    Duration refreshTokenLifetime();

    interface DefaultVisibility {
        /** For repositories in a user's own namespace (and official ones). */
        @WithDefault("public")
        Visibility user();

        /** For repositories of an organisation. */
        @WithDefault("private")
        Visibility organization();
    }
}
