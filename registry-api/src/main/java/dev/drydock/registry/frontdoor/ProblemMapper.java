package dev.drydock.registry.frontdoor;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.http.BadParameter;
import dev.drydock.registry.auth.AuthenticationFailed;
import dev.drydock.registry.identity.IdentityException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The REST API's failures as RFC 9457 problem details; on the registry's own paths
 * ({@code /v2}, {@code /token}) failed sign-ins answer in the distribution spec's error body.
 */
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";

    @ServerExceptionMapper
    public Response identity(IdentityException e) {
        Map<String, Object> problem = problem(e.status(), title(e.status()), e.getMessage());
        if (e.field() != null) {
            problem.put("field", e.field());
        }
        return Response.status(e.status()).type(PROBLEM_JSON).entity(problem).build();
    }

    @ServerExceptionMapper
    public Response authentication(AuthenticationFailed e, UriInfo uri) {
        Response.ResponseBuilder response = Response.status(e.status());
        if (e.retryAfter() != null) {
            response.header("Retry-After", Math.max(1, e.retryAfter().toSeconds()));
        } else {
            response.header("WWW-Authenticate", "Basic realm=\"drydock\"");
        }
        String path = uri.getPath();
        if (path.startsWith("/token") || path.startsWith("/v2")) {
            ErrorCode code = e.retryAfter() == null ? ErrorCode.UNAUTHORIZED : ErrorCode.TOOMANYREQUESTS;
            return response.type(OciException.CONTENT_TYPE)
                    .entity(new OciException(code, e.getMessage()).body())
                    .build();
        }
        return response.type(PROBLEM_JSON)
                .entity(problem(e.status(), title(e.status()), e.getMessage()))
                .build();
    }

    /** A parameter out of bounds, or JSON that does not fit: the spec's body on /v2, a problem elsewhere. */
    @ServerExceptionMapper
    public Response badParameter(BadParameter e, UriInfo uri) {
        return badRequest(ErrorCode.PAGINATION_NUMBER_INVALID, e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        return badRequest(
                ErrorCode.NAME_INVALID, "the request body is not acceptable JSON: " + e.getOriginalMessage(), uri);
    }

    private static Response badRequest(ErrorCode code, String message, UriInfo uri) {
        if (uri.getPath().startsWith("/v2")) {
            return Response.status(400)
                    .type(OciException.CONTENT_TYPE)
                    .entity(new OciException(code, 400, message, null).body())
                    .build();
        }
        return Response.status(400)
                .type(PROBLEM_JSON)
                .entity(problem(400, title(400), message))
                .build();
    }

    static Map<String, Object> problem(int status, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        return problem;
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            default -> "Error";
        };
    }
}
