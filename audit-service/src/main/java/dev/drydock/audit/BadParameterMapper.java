package dev.drydock.audit;

import dev.drydock.oci.http.BadParameter;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** A parameter out of its bounds: 400 with an RFC 9457 problem, as the front door answers it. */
public class BadParameterMapper {

    @ServerExceptionMapper
    public Response badParameter(BadParameter e) {
        return Response.status(400).type("application/problem+json").entity(Map.of("type", "about:blank",
                "title", "Bad Request", "status", 400, "detail", e.getMessage())).build();
    }
}
