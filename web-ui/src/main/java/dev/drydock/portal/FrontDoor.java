package dev.drydock.portal;

import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.time.Instant;
import java.util.List;

/** The read API of the platform, through the front door. */
@RegisterRestClient(configKey = "front-door")
@Path("/api/v1")
public interface FrontDoor {

    record TagView(String name, String digest, Instant updatedAt, String updatedBy) {
        public String shortDigest() {
            return digest.length() > 19 ? digest.substring(0, 19) : digest;
        }
    }

    record RepositorySummary(String name, String namespace, String visibility, Instant createdAt, Instant lastPushedAt,
                             String lastPushedBy, long stars, long pulls, List<TagView> tags) {
        public boolean official() {
            return name.startsWith("library/");
        }

        /** The name as users type it: official images without {@code library/}. */
        public String displayName() {
            return official() ? name.substring("library/".length()) : name;
        }
    }

    @GET
    @Path("/repositories")
    List<RepositorySummary> repositories(@QueryParam("limit") int limit);

    /** @throws jakarta.ws.rs.NotFoundException for a private or unknown repository */
    @GET
    @Path("/repositories/{name}")
    RepositorySummary repository(@PathParam("name") @Encoded String name);

    @GET
    @Path("/search")
    List<RepositorySummary> search(@QueryParam("q") String query, @QueryParam("limit") int limit);
}
