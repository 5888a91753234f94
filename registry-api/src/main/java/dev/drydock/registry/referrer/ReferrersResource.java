package dev.drydock.registry.referrer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Decision;
import dev.drydock.registry.manifest.Manifests;
import dev.drydock.registry.manifest.StoredManifest;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.sql.SQLException;

/**
 * {@code GET /v2/<name>/referrers/<digest>}: an image index of the manifests whose {@code subject}
 * is the digest, optionally only those of one {@code artifactType}. A referrer pushed before its
 * subject is listed all the same: the subject need not exist.
 */
@Path("/v2")
public class ReferrersResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Manifests manifests;

    ReferrersResource(Manifests manifests) {
        this.manifests = manifests;
    }

    @GET
    @Path("{name: .+}/referrers/{digest}")
    public Response referrers(
            @Encoded @PathParam("name") String name,
            @PathParam("digest") String digest,
            @QueryParam("artifactType") String artifactType,
            @Context RoutingContext ctx)
            throws SQLException, IOException {
        RepositoryName repository = Decision.require(ctx, name, Action.PULL);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode descriptors = index.putArray("manifests");
        for (StoredManifest referrer : manifests.referrers(repository, Digest.parse(digest))) {
            if (artifactType != null && !artifactType.equals(referrer.artifactType())) {
                continue;
            }
            ObjectNode descriptor = descriptors.addObject();
            descriptor.put("mediaType", referrer.mediaType());
            descriptor.put("digest", referrer.digest());
            descriptor.put("size", referrer.content().length);
            if (referrer.artifactType() != null) {
                descriptor.put("artifactType", referrer.artifactType());
            }
            JsonNode annotations = JSON.readTree(referrer.content()).get("annotations");
            if (annotations != null && annotations.isObject()) {
                descriptor.set("annotations", annotations);
            }
        }
        Response.ResponseBuilder response =
                Response.ok(JSON.writeValueAsBytes(index)).type(MediaTypes.OCI_INDEX);
        if (artifactType != null) {
            response.header("OCI-Filters-Applied", "artifactType");
        }
        return response.build();
    }
}
