package dev.drydock.portal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "drydock.portal")
public interface PortalConfig {

    /** The front door the portal reads from ({@code DRYDOCK_PORTAL_FRONT_DOOR_URL}). */
    @WithDefault("http://127.0.0.1:5000")
    String frontDoorUrl();

    /** The registry address shown in pull commands, as users reach it ({@code DRYDOCK_PORTAL_REGISTRY_HOST}). */
    @WithDefault("localhost:5000")
    String registryHost();

    /** How long a portal sign-in lasts at most (the platform's refresh token may end it sooner). */
    @WithDefault("12h")
    Duration sessionLifetime();
}
