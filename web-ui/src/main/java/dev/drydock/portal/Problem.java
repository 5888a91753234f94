package dev.drydock.portal;

import io.quarkus.qute.TemplateData;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Why the platform refused a call, as its RFC 9457 problem body says: the message and, when the
 * problem is with one input, that field's name, so a form can show the message beside it.
 */
@TemplateData // also read in included templates (retentionForm)
public record Problem(int status, String detail, String field) {

    @SuppressWarnings("unchecked")
    public static Problem of(WebApplicationException e) {
        Response response = e.getResponse();
        try {
            Map<String, Object> body = response.readEntity(Map.class);
            Object detail = body.get("detail");
            Object field = body.get("field");
            return new Problem(
                    response.getStatus(),
                    detail == null ? e.getMessage() : detail.toString(),
                    field == null ? null : field.toString());
        } catch (RuntimeException unreadable) {
            return new Problem(
                    response.getStatus(), "The platform refused the request (" + response.getStatus() + ").", null);
        }
    }

    public boolean about(String name) {
        return name.equals(field);
    }
}
