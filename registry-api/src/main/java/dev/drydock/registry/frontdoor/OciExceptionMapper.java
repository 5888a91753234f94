package dev.drydock.registry.frontdoor;

import dev.drydock.oci.OciException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one door through which failures of the distribution API leave: the spec's error body. */
public class OciExceptionMapper {

    private static final Logger LOG = Logger.getLogger(OciExceptionMapper.class);

    @ServerExceptionMapper
    public Response oci(OciException e) {
        return Response.status(e.status())
                .type(OciException.CONTENT_TYPE)
                .entity(e.body())
                .build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        return e.getResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("request failed", e);
        return Response.serverError()
                .type(OciException.CONTENT_TYPE)
                .entity("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"internal error\"}]}")
                .build();
    }
}
