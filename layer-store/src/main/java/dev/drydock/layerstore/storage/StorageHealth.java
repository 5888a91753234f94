package dev.drydock.layerstore.storage;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The blob storage's free space against its reserve. A storage below the reserve stays UP, as
 * every pull is still served; its data says that uploads are refused, which is what an operator
 * must act on (free space, or prune). DOWN only when the file system cannot be read at all.
 */
@Readiness
public class StorageHealth implements HealthCheck {

    private final StorageSpace space;

    StorageHealth(StorageSpace space, MeterRegistry meters) {
        this.space = space;
        Gauge.builder("drydock.storage.free", space, StorageHealth::freeOrNaN)
                .baseUnit("bytes")
                .description("free space of the blob storage's file system")
                .register(meters);
        Gauge.builder("drydock.storage.reserve", space, StorageSpace::reserve)
                .baseUnit("bytes")
                .description("free space kept in reserve: uploads are refused below it")
                .register(meters);
    }

    private static double freeOrNaN(StorageSpace space) {
        try {
            return space.usable();
        } catch (StorageFailure e) {
            return Double.NaN;
        }
    }

    @Override
    public HealthCheckResponse call() {
        long free;
        try {
            free = space.usable();
        } catch (StorageFailure e) {
            return HealthCheckResponse.named("blob-storage")
                    .down()
                    .withData("error", e.getMessage())
                    .build();
        }
        return HealthCheckResponse.named("blob-storage")
                .up()
                .withData("freeBytes", free)
                .withData("reserveBytes", space.reserve())
                .withData("uploads", free > space.reserve() ? "accepted" : "refused: free space is below the reserve")
                .build();
    }
}
