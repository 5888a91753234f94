package dev.drydock.registry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;

@ConfigMapping(prefix = "drydock.registry")
public interface RegistryConfig {

    /** Where layer-store answers; blob requests are forwarded there ({@code DRYDOCK_REGISTRY_LAYER_STORE_URL}). */
    @WithDefault("http://127.0.0.1:5100")
    URI layerStoreUrl();

    /** Where audit-service answers; the read API under /api/v1 is forwarded there ({@code DRYDOCK_REGISTRY_AUDIT_URL}). */
    @WithDefault("http://127.0.0.1:5200")
    URI auditUrl();
}
