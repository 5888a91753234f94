package dev.drydock.registry.auth;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** The public keys registry tokens are signed with, so other services verify them without a shared secret. */
@Path("/.well-known/jwks.json")
public class JwksResource {

    private final RegistryTokens tokens;

    JwksResource(RegistryTokens tokens) {
        this.tokens = tokens;
    }

    @GET
    @Produces("application/jwk-set+json")
    public String keys() {
        return tokens.publicKeys().toString();
    }
}
