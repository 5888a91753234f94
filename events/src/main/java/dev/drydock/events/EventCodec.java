package dev.drydock.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.net.URI;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Writes and reads events as CloudEvents 1.0 in structured JSON mode. The actor travels as
 * extension attributes ({@code actor}, {@code actortoken}, {@code clientaddress}, {@code useragent}).
 */
public final class EventCodec {

    public static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final JsonFormat FORMAT = new JsonFormat();

    private EventCodec() {}

    public static byte[] encode(Event event) {
        try {
            CloudEventBuilder builder = CloudEventBuilder.v1()
                    .withId(event.id().toString())
                    .withType(event.type().cloudEventType())
                    .withSource(URI.create(event.source()))
                    .withSubject(event.subject())
                    .withTime(event.time().atOffset(ZoneOffset.UTC))
                    .withDataSchema(URI.create(event.type().dataSchema()))
                    .withDataContentType("application/json")
                    .withData(MAPPER.writeValueAsBytes(event.data()));
            Actor actor = event.actor();
            if (actor != null) {
                extension(builder, "actor", actor.user());
                extension(builder, "actortoken", actor.tokenId());
                extension(builder, "clientaddress", actor.clientAddress());
                extension(builder, "useragent", actor.userAgent());
            }
            return FORMAT.serialize(builder.build());
        } catch (IOException e) {
            throw new IllegalStateException("event payload cannot be written as JSON: " + event.type(), e);
        }
    }

    /**
     * @throws MalformedEventException when the bytes are not a CloudEvent of a known type and version
     */
    public static Event decode(byte[] bytes) {
        CloudEvent cloudEvent;
        try {
            cloudEvent = FORMAT.deserialize(bytes);
        } catch (EventDeserializationException | IllegalArgumentException e) {
            throw new MalformedEventException("not a CloudEvents JSON document: " + e.getMessage(), e);
        }
        EventType type = EventType.ofCloudEventType(cloudEvent.getType())
                .orElseThrow(() -> new MalformedEventException("unknown event type " + cloudEvent.getType()));
        String schema = cloudEvent.getDataSchema() == null
                ? null
                : cloudEvent.getDataSchema().toString();
        int version = type.readableVersion(schema)
                .orElseThrow(() -> new MalformedEventException("unsupported schema " + schema + " for " + type));
        if (cloudEvent.getData() == null || cloudEvent.getTime() == null) {
            throw new MalformedEventException("event " + cloudEvent.getId() + " has no data or no time");
        }
        try {
            JsonNode payload = MAPPER.readTree(cloudEvent.getData().toBytes());
            if (!(payload instanceof ObjectNode object)) {
                throw new MalformedEventException("payload of " + type + " is not a JSON object");
            }
            EventData data = MAPPER.treeToValue(upgrade(type, version, object), type.payloadType());
            Actor actor = new Actor(
                    text(cloudEvent, "actor"),
                    text(cloudEvent, "actortoken"),
                    text(cloudEvent, "clientaddress"),
                    text(cloudEvent, "useragent"));
            return new Event(
                    UUID.fromString(cloudEvent.getId()),
                    type,
                    cloudEvent.getSource().toString(),
                    cloudEvent.getTime().toInstant(),
                    actor,
                    data);
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedEventException("payload of " + type + " is malformed: " + e.getMessage(), e);
        }
    }

    /** Brings a payload written with an earlier schema version to the current one. */
    private static ObjectNode upgrade(EventType type, int version, ObjectNode payload) {
        if (type == EventType.IMAGE_PULLED && version < 2) {
            payload.put("count", 1);
        }
        return payload;
    }

    /** The payload as a JSON tree, for consumers that store it as it came. */
    public static String payloadJson(Event event) {
        try {
            return MAPPER.writeValueAsString(event.data());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void extension(CloudEventBuilder builder, String name, String value) {
        if (value != null) {
            builder.withExtension(name, value);
        }
    }

    private static String text(CloudEvent event, String extension) {
        Object value = event.getExtension(extension);
        return value == null ? null : value.toString();
    }
}
