package dev.drydock.portal.home;

import jakarta.ws.rs.GET;
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
                             String lastPushedBy, List<TagView> tags) {
    }

    @GET
    @Path("/repositories")
    List<RepositorySummary> repositories(@QueryParam("limit") int limit);
}
