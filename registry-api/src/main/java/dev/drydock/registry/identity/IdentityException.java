package dev.drydock.registry.identity;

/** A refused identity operation, answered as RFC 9457 problem details. */
public class IdentityException extends RuntimeException {

    private final int status;
    private final String field;

    public IdentityException(int status, String message) {
        this(status, message, null);
    }

    public IdentityException(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public int status() {
        return status;
    }

    /** The request field the problem is about, for forms to show it beside the field. */
    public String field() {
        return field;
    }
}
