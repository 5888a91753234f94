package dev.drydock.layerstore;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "drydock.layer-store")
public interface LayerStoreConfig {

    /** Where blobs and uploads in progress live ({@code DRYDOCK_LAYER_STORE_STORAGE_DIR}). */
    @WithDefault(".drydock/blobs")
    Path storageDir();

    /**
     * Free space the blob storage keeps in reserve ({@code DRYDOCK_LAYER_STORE_FREE_SPACE_RESERVE}):
     * an upload that would leave less is refused with 507 before a byte is written, so the disk never
     * fills from uploads alone, and what shares it (PostgreSQL's data, in the single-machine default)
     * keeps room to work.
     */
    @WithDefault("1G")
    MemorySize freeSpaceReserve();

    /** An upload session untouched for this long is abandoned: its row and partial file are removed. */
    @WithDefault("24h")
    Duration uploadExpiry();

    /** How often abandoned uploads are looked for. */
    @WithDefault("10m")
    Duration expiryCheckInterval();

    /**
     * Where the public keys of registry tokens are ({@code DRYDOCK_LAYER_STORE_JWKS_URL}): every
     * request must carry a token (header or {@code ?token=}) granting what it does.
     */
    @WithDefault("http://127.0.0.1:5000/.well-known/jwks.json")
    URI jwksUrl();

    /** The {@code service} registry tokens are issued for. */
    @WithDefault("drydock")
    String tokenService();

    /**
     * The token endpoint named in a 401's {@code WWW-Authenticate} ({@code DRYDOCK_LAYER_STORE_TOKEN_REALM});
     * empty means {@code /token} at the address the client used (as {@code X-Forwarded-Host} and
     * {@code -Proto} give it, else this request's own), which an ingress routes to registry-api.
     */
    Optional<String> tokenRealm();
}
