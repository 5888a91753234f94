package dev.drydock.audit.log;

import dev.drydock.audit.access.Viewers;
import dev.drydock.oci.http.TextInput;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/audit}: the audit log, filtered and cursor-paged; and its verification. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    static final int MAX_PAGE = 500;

    private final AuditLog log;
    private final Viewers viewers;

    AuditResource(AuditLog log, Viewers viewers) {
        this.log = log;
        this.viewers = viewers;
    }

    public record Page(List<AuditLog.Entry> items, Long next) {
    }

    @GET
    public Page list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                     @QueryParam("organization") String namespace, @QueryParam("repository") String repository,
                     @QueryParam("actor") String actor, @QueryParam("type") String type,
                     @QueryParam("since") String since, @QueryParam("until") String until,
                     @QueryParam("cursor") String cursorParam, @QueryParam("limit") String limitParam)
            throws SQLException {
        int limit = TextInput.integer("limit", limitParam, 100, 1, MAX_PAGE);
        Long cursor = cursorParam == null || cursorParam.isEmpty() ? null
                : TextInput.whole("cursor", cursorParam, 0, 0, Long.MAX_VALUE);
        String scope = viewers.of(authorization).auditScope().orElseThrow(AuditResource::refused);
        boolean granted = scope.equals("*") || scope.equals("organization:" + namespace)
                || scope.equals("repository:" + repository);
        if (!granted) {
            throw refused();
        }
        List<AuditLog.Entry> entries = log.find(new AuditLog.Query(namespace, repository, actor, type,
                instant("since", since), instant("until", until), cursor, limit));
        Long next = entries.size() == limit ? entries.get(entries.size() - 1).seq() : null;
        return new Page(entries, next);
    }

    @GET
    @Path("/verify")
    public Map<String, Object> verify(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization)
            throws SQLException {
        if (!viewers.of(authorization).auditScope().filter("*"::equals).isPresent()) {
            throw refused();
        }
        return log.verify().<Map<String, Object>>map(seq -> Map.of("intact", false, "firstBrokenRecord", seq))
                .orElse(Map.of("intact", true));
    }

    private static ForbiddenException refused() {
        return new ForbiddenException("the viewer token does not grant this part of the audit log");
    }

    /** An ISO-8601 instant within the years PostgreSQL's timestamps and a person's queries use (1 to 9999). */
    private static Instant instant(String name, String value) {
        try {
            Instant instant = value == null ? null : Instant.parse(value);
            if (instant != null && (instant.isBefore(EARLIEST) || instant.isAfter(LATEST))) {
                throw new BadRequestException(name + " must lie between the years 1 and 9999");
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw new BadRequestException(name + " must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        }
    }

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
}
