package dev.drydock.portal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

/** What every page may need to say about this installation; pages read it as {@code inject:site}. */
@ApplicationScoped
@Named("site")
public class Site {

    private final PortalConfig config;

    Site(PortalConfig config) {
        this.config = config;
    }

    /** The registry address in pull commands and login hints. */
    public String registryHost() {
        return config.registryHost();
    }
}
