package dev.drydock.audit.log;

import dev.drydock.audit.access.Viewers;
import dev.drydock.audit.consumer.EventConsumer;
import dev.drydock.oci.http.TextInput;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /api/v1/audit}: the audit log, filtered and cursor-paged; and its verification. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    static final int MAX_PAGE = 500;

    private final AuditLog log;
    private final Viewers viewers;
    private final EventConsumer consumer;

    AuditResource(AuditLog log, Viewers viewers, EventConsumer consumer) {
        this.log = log;
        this.viewers = viewers;
        this.consumer = consumer;
    }

    public record Page(List<AuditLog.Entry> items, Long next) {}

    @GET
    public Page list(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("organization") String namespace,
            @QueryParam("repository") String repository,
            @QueryParam("actor") String actor,
            @QueryParam("type") String type,
            @QueryParam("since") String since,
            @QueryParam("until") String until,
            @QueryParam("cursor") String cursorParam,
            @QueryParam("limit") String limitParam)
            throws SQLException {
        int limit = TextInput.integer("limit", limitParam, 100, 1, MAX_PAGE);
        Long cursor = cursorParam == null || cursorParam.isEmpty()
                ? null
                : TextInput.whole("cursor", cursorParam, 0, 0, Long.MAX_VALUE);
        String scope = viewers.of(authorization).auditScope().orElseThrow(AuditResource::refused);
        boolean granted = scope.equals("*")
                || scope.equals("organization:" + namespace)
                || scope.equals("repository:" + repository);
        if (!granted) {
            throw refused();
        }
        List<AuditLog.Entry> entries = log.find(new AuditLog.Query(
                namespace, repository, actor, type, instant("since", since), instant("until", until), cursor, limit));
        Long next = entries.size() == limit ? entries.get(entries.size() - 1).seq() : null;
        return new Page(entries, next);
    }

    /**
     * Whether the audit log is whole: every record's hash and link hold (else the first broken
     * record), and no partition's positions have a hole (events consumed but never applied).
     */
    @GET
    @Path("/verify")
    public Map<String, Object> verify(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization)
            throws SQLException {
        if (!viewers.of(authorization).auditScope().filter("*"::equals).isPresent()) {
            throw refused();
        }
        Optional<Long> broken = log.verify();
        Map<String, Map<Integer, Long>> committed = new HashMap<>();
        boolean offsetsChecked;
        try {
            consumer.committedOffsets(Duration.ofSeconds(5))
                    .forEach((partition, offset) -> committed
                            .computeIfAbsent(partition.topic(), t -> new HashMap<>())
                            .put(partition.partition(), offset));
            offsetsChecked = true;
        } catch (Exception kafkaAway) {
            offsetsChecked = false; // the gaps between applied places are still found
        }
        List<AuditLog.Gap> gaps = log.gaps(committed);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("intact", broken.isEmpty() && gaps.isEmpty());
        broken.ifPresent(seq -> answer.put("firstBrokenRecord", seq));
        answer.put("gaps", gaps);
        answer.put("committedOffsetsChecked", offsetsChecked);
        return answer;
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
