package dev.drydock.registry.frontdoor;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v2/}: this is a registry speaking the distribution API. */
@Path("/v2")
public class BaseResource {

    public static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";

    @GET
    @Path("/")
    @Produces(MediaType.APPLICATION_JSON)
    public String base() {
        return "{}";
    }

    /** Every answer under /v2, whoever produces it, names the API version. */
    void apiVersionHeader(@Observes Router router) {
        router.route("/v2/*").order(-100).handler(ctx -> {
            ctx.response().putHeader(API_VERSION_HEADER, "registry/2.0");
            ctx.next();
        });
    }
}
