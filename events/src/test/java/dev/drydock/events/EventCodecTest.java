package dev.drydock.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    @Test
    void manifestPushedSurvivesTheRoundTripAsAStructuredCloudEvent() {
        Event event = Event.of(
                "/drydock/registry-api",
                new Actor("alice", null, "127.0.0.1", "skopeo/1.9"),
                new RegistryEvents.ManifestPushed(
                        "acme/hello",
                        "sha256:" + "a".repeat(64),
                        "application/vnd.oci.image.manifest.v1+json",
                        512,
                        null,
                        null,
                        List.of("sha256:" + "b".repeat(64)),
                        2048,
                        List.of("linux/amd64")));

        byte[] bytes = EventCodec.encode(event);
        String json = new String(bytes, StandardCharsets.UTF_8);

        assertTrue(json.contains("\"specversion\":\"1.0\""), json);
        assertTrue(json.contains("\"type\":\"dev.drydock.manifest.pushed\""), json);
        assertTrue(json.contains("\"subject\":\"acme/hello\""), json);
        assertTrue(json.contains("\"actor\":\"alice\""), json);
        assertEquals(event, EventCodec.decode(bytes));
    }

    @Test
    void anEventOfUnknownTypeIsMalformed() {
        byte[] bytes = ("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"dev.drydock.nope\","
                        + "\"time\":\"2026-01-01T00:00:00Z\",\"data\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> EventCodec.decode(bytes));
        assertTrue(e.getMessage().contains("unknown event type"), e.getMessage());
    }

    @Test
    void garbageIsMalformed() {
        assertThrows(
                MalformedEventException.class, () -> EventCodec.decode("not json".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aVersionOnePullEventIsOnePull() {
        Event pulled = EventCodec.decode(pullEvent("urn:drydock:schema:image.pulled:1", ""));
        assertEquals(1, ((RegistryEvents.ImagePulled) pulled.data()).count());
    }

    @Test
    void aVersionTwoPullEventCarriesItsCount() {
        Event pulled = EventCodec.decode(pullEvent("urn:drydock:schema:image.pulled:2", ",\"count\":7"));
        assertEquals(7, ((RegistryEvents.ImagePulled) pulled.data()).count());
    }

    @Test
    void aSchemaVersionFromTheFutureOrACountOfNothingIsMalformed() {
        MalformedEventException future = assertThrows(
                MalformedEventException.class,
                () -> EventCodec.decode(pullEvent("urn:drydock:schema:image.pulled:3", ",\"count\":1")));
        assertTrue(future.getMessage().contains("unsupported schema"), future.getMessage());
        assertThrows(
                MalformedEventException.class,
                () -> EventCodec.decode(pullEvent("urn:drydock:schema:image.pulled:2", "")));
    }

    private static byte[] pullEvent(String schema, String extraFields) {
        return ("{\"specversion\":\"1.0\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"source\":\"/x\","
                        + "\"type\":\"dev.drydock.image.pulled\",\"dataschema\":\"" + schema + "\","
                        + "\"time\":\"2026-01-01T00:00:00Z\",\"datacontenttype\":\"application/json\",\"data\":"
                        + "{\"repository\":\"acme/hello\",\"reference\":\"latest\",\"digest\":\"sha256:"
                        + "a".repeat(64)
                        + "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"byTag\":true" + extraFields
                        + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
