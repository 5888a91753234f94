package dev.drydock.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A client-visible failure of the distribution API; its body is the spec's error document. */
public class OciException extends RuntimeException {

    public static final String CONTENT_TYPE = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ErrorCode code;
    private final int status;
    private final String detail;

    public OciException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public OciException(ErrorCode code, String message, String detail) {
        this(code, code.status(), message, detail);
    }

    /** For the few places where the spec answers a code with another status, e.g. 413 for a huge manifest. */
    public OciException(ErrorCode code, int status, String message, String detail) {
        super(message);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** {@code {"errors":[{"code":…,"message":…,"detail":…}]}} */
    public String body() {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode errors = root.putArray("errors");
        ObjectNode error = errors.addObject();
        error.put("code", code.name());
        error.put("message", getMessage());
        if (detail != null) {
            error.put("detail", detail);
        }
        return root.toString();
    }
}
