package dev.drydock.audit.rebuild;

import dev.drydock.audit.access.Viewers;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /api/v1/admin/projections/rebuild}: platform admins rebuild every projection from
 * offset zero (also {@code ./drydock rebuild-projections}). Answers when the new tables are in
 * place, with each table's checksum live and rebuilt.
 */
@Path("/api/v1/admin/projections")
@Produces(MediaType.APPLICATION_JSON)
public class RebuildResource {

    private final ProjectionRebuild rebuild;
    private final Viewers viewers;

    RebuildResource(ProjectionRebuild rebuild, Viewers viewers) {
        this.rebuild = rebuild;
        this.viewers = viewers;
    }

    @POST
    @Path("/rebuild")
    public ProjectionRebuild.Result rebuild(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization)
            throws Exception {
        if (!viewers.of(authorization).maintains()) {
            throw new ForbiddenException("only platform admins rebuild the projections");
        }
        return rebuild.rebuild();
    }
}
