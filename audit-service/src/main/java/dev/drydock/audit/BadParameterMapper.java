package dev.drydock.audit;

import dev.drydock.oci.http.BadParameter;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A parameter out of its bounds or otherwise refused: 400 with an RFC 9457 problem, as the front door answers it. */
public class BadParameterMapper {

    @ServerExceptionMapper
    public Response badParameter(BadParameter e) {
        return problem(e.getMessage());
    }

    /** The resources' own refusals of what they were given, with the message in the body. */
    @ServerExceptionMapper
    public Response badRequest(BadRequestException e) {
        return problem(e.getMessage());
    }

    private static Response problem(String detail) {
        return Response.status(400)
                .type("application/problem+json")
                .entity(Map.of(
                        "type",
                        "about:blank",
                        "title",
                        "Bad Request",
                        "status",
                        400,
                        "detail",
                        detail == null ? "bad request" : detail))
                .build();
    }
}
