package dev.drydock.oci;

/** The error codes of the OCI distribution spec, with the HTTP status each answers with. */
public enum ErrorCode {
    BLOB_UNKNOWN(404),
    BLOB_UPLOAD_INVALID(400),
    BLOB_UPLOAD_UNKNOWN(404),
    DIGEST_INVALID(400),
    MANIFEST_BLOB_UNKNOWN(400),
    MANIFEST_INVALID(400),
    MANIFEST_UNKNOWN(404),
    NAME_INVALID(400),
    NAME_UNKNOWN(404),
    /** distribution's code for an {@code n} or {@code last} that cannot be taken. */
    PAGINATION_NUMBER_INVALID(400),
    SIZE_INVALID(400),
    TAG_INVALID(400),
    UNAUTHORIZED(401),
    DENIED(403),
    UNSUPPORTED(405),
    TOOMANYREQUESTS(429),
    /** A service behind the front door does not answer. */
    UNAVAILABLE(503),
    /** Not in the spec's table; distribution answers it for bad Content-Range. */
    RANGE_INVALID(416),
    /**
     * Not in the spec's table: the blob storage is full (or keeps its reserve), so the upload was
     * not stored; HTTP's own status for it.
     */
    INSUFFICIENT_STORAGE(507);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
