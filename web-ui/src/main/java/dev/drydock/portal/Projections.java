package dev.drydock.portal;

import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * The read side learns of a change through the event log, a moment after the write. After a form
 * changes something, the portal waits briefly for the read side to show it, so that the page it
 * redirects to shows the change (read your own writes); if it takes longer, the page shows it on
 * the next load.
 */
public final class Projections {

    private static final Duration PATIENCE = Duration.ofSeconds(3);
    private static final long STEP_MILLIS = 100;

    private Projections() {}

    public static void awaitShown(BooleanSupplier shown) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (shown.getAsBoolean()) {
                    return;
                }
            } catch (WebApplicationException notYet) {
                // a repository just created is a 404 until its event is projected
            }
            try {
                Thread.sleep(STEP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
