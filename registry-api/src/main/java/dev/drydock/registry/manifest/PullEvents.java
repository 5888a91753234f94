package dev.drydock.registry.manifest;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.RegistryEvents;
import dev.drydock.outbox.Outbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes pull events to the outbox with group commit: a manifest GET still answers only once its
 * pull is committed (a served pull is never uncounted), but the GETs that arrive together share
 * one transaction, and pulls of the same manifest by the same reference and actor within it become
 * one event with their count. A busy image pulled by one CI system therefore costs the event
 * pipeline (relay, broker, projections) one event per commit rather than one per GET.
 */
@ApplicationScoped
public class PullEvents {

    private static final Logger LOG = Logger.getLogger(PullEvents.class);
    private static final int MAX_BATCH = 1000;
    private static final long WAIT_SECONDS = 30;

    private record Pending(Event event, CompletableFuture<Void> committed) {
    }

    /** What makes two pulls one event: the same manifest by the same reference and actor. */
    private record Same(String source, Actor actor, String repository, String reference, String digest,
                        String mediaType, boolean byTag) {
        static Same as(Event event) {
            RegistryEvents.ImagePulled pull = (RegistryEvents.ImagePulled) event.data();
            return new Same(event.source(), event.actor(), pull.repository(), pull.reference(), pull.digest(),
                    pull.mediaType(), pull.byTag());
        }
    }

    private final AgroalDataSource dataSource;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread writer;

    PullEvents(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void start(@Observes StartupEvent startup) {
        running = true;
        writer = new Thread(this::run, "pull-events");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        running = false;
        writer.join(TimeUnit.SECONDS.toMillis(5));
    }

    /** Returns once the pull is committed to the outbox. */
    public void record(Event event) throws SQLException {
        if (!(event.data() instanceof RegistryEvents.ImagePulled)) {
            throw new IllegalArgumentException("not a pull: " + event.type());
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        queue.add(new Pending(event, committed));
        try {
            committed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException sql ? sql : new SQLException("cannot record the pull", e.getCause());
        } catch (TimeoutException e) {
            throw new SQLException("the pull was not recorded within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while recording the pull", e);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** One event per group of the same pulls, in the order each group's first pull arrived. */
    static List<Event> merged(List<Event> pulls) {
        Map<Same, List<Event>> groups = new LinkedHashMap<>();
        for (Event pull : pulls) {
            groups.computeIfAbsent(Same.as(pull), same -> new ArrayList<>()).add(pull);
        }
        List<Event> events = new ArrayList<>(groups.size());
        for (List<Event> group : groups.values()) {
            Event first = group.get(0);
            if (group.size() == 1) {
                events.add(first);
                continue;
            }
            RegistryEvents.ImagePulled pull = (RegistryEvents.ImagePulled) first.data();
            int count = group.stream().mapToInt(event -> ((RegistryEvents.ImagePulled) event.data()).count()).sum();
            events.add(new Event(first.id(), first.type(), first.source(), first.time(), first.actor(),
                    new RegistryEvents.ImagePulled(pull.repository(), pull.reference(), pull.digest(), pull.mediaType(),
                            pull.byTag(), count)));
        }
        return events;
    }

    private void commit(List<Pending> batch) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Outbox.appendAll(c, merged(batch.stream().map(Pending::event).toList()));
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            batch.forEach(pending -> pending.committed().complete(null));
        } catch (SQLException e) {
            LOG.warnf("could not record %d pulls: %s", batch.size(), e.getMessage());
            batch.forEach(pending -> pending.committed().completeExceptionally(e));
        }
    }
}
