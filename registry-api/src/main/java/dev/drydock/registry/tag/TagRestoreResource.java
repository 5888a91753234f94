package dev.drydock.registry.tag;

import dev.drydock.oci.Digest;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.Tag;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Callers;
import dev.drydock.registry.auth.Permissions;
import dev.drydock.registry.auth.Principal;
import dev.drydock.registry.frontdoor.Actors;
import dev.drydock.registry.identity.IdentityException;
import dev.drydock.registry.manifest.Manifests;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;

/**
 * {@code PUT /api/v1/repositories/<name>/tags/<tag>} with {@code {"digest": …}}: points a tag at
 * one of the repository's manifests, e.g. one it pointed at before (its history is in
 * {@code GET …/tags/<tag>/history}). Writers only.
 */
@Path("/api/v1/repositories")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TagRestoreResource {

    private final Manifests manifests;
    private final Permissions permissions;
    private final Callers callers;

    TagRestoreResource(Manifests manifests, Permissions permissions, Callers callers) {
        this.manifests = manifests;
        this.permissions = permissions;
        this.callers = callers;
    }

    public record Target(String digest) {}

    @PUT
    @Path("{name: .+}/tags/{tag}")
    public Response point(
            @PathParam("name") String rawName,
            @PathParam("tag") String rawTag,
            Target target,
            @Context HttpServerRequest http)
            throws SQLException {
        Principal caller = callers.require(http, true);
        RepositoryName name;
        Tag tag;
        Digest digest;
        try {
            name = RepositoryName.parse(rawName);
            tag = new Tag(rawTag);
            digest = Digest.parse(target == null ? null : target.digest());
        } catch (OciException e) {
            throw new IdentityException(400, e.getMessage());
        }
        if (!permissions.granted(caller, name).contains(Action.PUSH)) {
            throw new IdentityException(404, "There is no repository " + name + " you may push to.");
        }
        try {
            manifests.retag(name, tag, digest, Actors.of(http, caller.username(), null));
        } catch (OciException e) {
            throw new IdentityException(404, e.getMessage() + ": " + digest);
        }
        return Response.noContent().build();
    }
}
