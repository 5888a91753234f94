package dev.drydock.layerstore.access;

import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.Revocations;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;

/** Revoked personal access tokens, as registry-api lists them, read every second (see {@link Revocations}). */
@ApplicationScoped
public class TokenRevocations {

    private final Revocations revocations;

    TokenRevocations(LayerStoreConfig config) {
        URI jwks = config.jwksUrl();
        this.revocations = new Revocations(jwks.resolve("/"));
    }

    boolean isRevoked(RegistryToken token) {
        return !revocations.allows(token);
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        revocations.refresh();
    }
}
