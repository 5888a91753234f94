package dev.drydock.layerstore.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GarbageCollectionTest {

    @Test
    void theScheduleTakesShortAndIsoDurationsOrOff() {
        assertEquals(Optional.of(Duration.ofHours(24)), GarbageCollection.scheduleInterval("24h"));
        assertEquals(Optional.of(Duration.ofHours(6)), GarbageCollection.scheduleInterval("PT6H"));
        assertEquals(Optional.of(Duration.ofSeconds(1)), GarbageCollection.scheduleInterval(" 1s "));
        assertEquals(Optional.empty(), GarbageCollection.scheduleInterval("off"));
        assertEquals(Optional.empty(), GarbageCollection.scheduleInterval("Disabled"));
    }

    @Test
    void aScheduleThatCannotBeMeantStopsTheStart() {
        for (String setting : new String[] {"0s", "-1h", "daily", "", "PT"}) {
            assertThrows(IllegalArgumentException.class, () -> GarbageCollection.scheduleInterval(setting), setting);
        }
    }
}
