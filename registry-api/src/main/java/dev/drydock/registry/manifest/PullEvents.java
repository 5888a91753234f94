package dev.drydock.registry.manifest;

import dev.drydock.events.Actor;
import dev.drydock.events.Event;
import dev.drydock.events.EventType;
import dev.drydock.events.RegistryEvents;
import dev.drydock.outbox.Outbox;
import dev.drydock.registry.DomainEvents;
import dev.drydock.registry.RegistryConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Writes pull events to the outbox with group commit: the GETs that arrive together share one
 * transaction, and pulls of the same manifest by the same reference and actor within it become
 * one event with their count. A busy image pulled by one CI system therefore costs the event
 * pipeline (relay, broker, projections) one event per commit rather than one per GET.
 *
 * <p>When a GET answers depends on {@link Mode}: by default ({@code queued}) at once, its pull
 * committed by the writer within milliseconds; with {@code committed} only after the commit. A
 * commit that fails is retried with the same event ids until it succeeds, so a database outage
 * delays pull events but loses none and, as consumers apply an event id once, counts none twice.
 *
 * <p>These commits do not wait for PostgreSQL to flush its write-ahead log to disk
 * ({@code synchronous_commit = off} for this transaction only). Pushes and every other event do.
 */
@ApplicationScoped
public class PullEvents {

    /** How a manifest GET and the recording of its pull relate. */
    public enum Mode {
        /**
         * The GET answers at once; the pull is committed within milliseconds. A crash of
         * registry-api (SIGKILL, power) or of PostgreSQL's machine can lose the pulls of its last
         * moments; a clean stop, a Kafka outage or a database restart loses none.
         */
        QUEUED,
        /** The GET answers once its pull is committed (a crash of PostgreSQL's machine excepted). */
        COMMITTED,
        /** No pull events; pull counts and the audit log miss every pull. Only to measure what counting costs. */
        OFF
    }

    private static final Logger LOG = Logger.getLogger(PullEvents.class);
    private static final int MAX_BATCH = 1000;
    private static final int MAX_QUEUED = 100_000;
    private static final long WAIT_SECONDS = 30;
    private static final long RETRY_MILLIS = 1000;
    private static final long STOP_SECONDS = 5;
    private static final long LINGER_MILLIS = 10;

    /**
     * One manifest GET; pulls that are equal but for their time become one event.
     *
     * @param byTag whether the client named a tag (see {@link RegistryEvents.ImagePulled})
     */
    public record Pull(
            Actor actor,
            String repository,
            String reference,
            String digest,
            String mediaType,
            boolean byTag,
            Instant at) {

        private Pull sameAtAnyTime() {
            return new Pull(actor, repository, reference, digest, mediaType, byTag, null);
        }
    }

    private record Pending(Pull pull, CompletableFuture<Void> committed) {}

    private final AgroalDataSource dataSource;
    private final Mode mode;
    /** Lock-free, so that 32 GETs at once do not queue up behind one another to hand over their pulls. */
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();

    private final Semaphore room = new Semaphore(MAX_QUEUED);
    private volatile boolean running;
    private volatile long stopBy = Long.MAX_VALUE;
    private Thread writer;

    /**
     * How stale a manifest's {@code pulled_at} may get: a tenth of the grace period, so that a busy
     * image is not rewritten on every batch. The "not pulled for" retention rule reads it.
     */
    private final Duration pulledAtStaleness;

    PullEvents(
            AgroalDataSource dataSource,
            RegistryConfig config,
            @ConfigProperty(name = "drydock.gc.grace", defaultValue = "PT1H") Duration grace) {
        this.dataSource = dataSource;
        this.mode = config.pullEvents();
        this.pulledAtStaleness = grace.dividedBy(10);
    }

    void start(@Observes StartupEvent startup) {
        if (mode == Mode.OFF) {
            return;
        }
        running = true;
        writer = new Thread(this::run, "pull-events");
        writer.setDaemon(true);
        writer.start();
    }

    /** Commits what is queued before the service stops (giving up on a database that stays down). */
    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        if (writer == null) {
            return;
        }
        stopBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
        running = false;
        writer.join(TimeUnit.SECONDS.toMillis(STOP_SECONDS + 1));
        if (!queue.isEmpty()) {
            LOG.warnf("%d pulls were not recorded before the stop", queue.size());
        }
    }

    /**
     * Queues the pull if that needs no waiting (queued mode, room in the queue): for the event
     * loop. False when it must go through {@link #record} on a worker thread instead.
     */
    public boolean offer(Pull pull) {
        if (mode == Mode.OFF) {
            return true;
        }
        if (mode == Mode.COMMITTED || !room.tryAcquire()) {
            return false;
        }
        queue.add(new Pending(pull, null));
        return true;
    }

    /**
     * Hands the pull to the writer; in {@link Mode#COMMITTED} returns only once it is committed.
     * Waits for room when the writer is far behind (the database is down), so memory stays bounded.
     */
    public void record(Pull pull) throws SQLException {
        if (offer(pull)) {
            return; // off, or queued at once
        }
        try {
            if (!room.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new SQLException(
                        "the pull could not be queued within " + WAIT_SECONDS + " s: is the database down?");
            }
            if (mode != Mode.COMMITTED) {
                queue.add(new Pending(pull, null));
                return;
            }
            CompletableFuture<Void> committed = new CompletableFuture<>();
            queue.add(new Pending(pull, committed));
            LockSupport.unpark(writer);
            committed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException sql
                    ? sql
                    : new SQLException("cannot record the pull", e.getCause());
        } catch (TimeoutException e) {
            throw new SQLException("the pull was not recorded within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while recording the pull", e);
        }
    }

    /**
     * Commits what has queued up, in batches. Queued pulls are gathered for a few milliseconds
     * between commits (nobody waits for them); a GET waiting for its commit wakes the writer at once.
     */
    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                if (mode == Mode.QUEUED) {
                    Thread.sleep(LINGER_MILLIS);
                }
                Pending next = queue.poll();
                if (next == null) {
                    if (mode == Mode.COMMITTED) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                    }
                    continue;
                }
                batch.add(next);
                while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
                    batch.add(next);
                }
                room.release(batch.size());
                List<Event> events = merged(batch.stream().map(Pending::pull).toList());
                while (!commit(events)) {
                    if (System.nanoTime() > stopBy) {
                        LOG.warnf("%d pulls were not recorded before the stop", batch.size());
                        return;
                    }
                    Thread.sleep(RETRY_MILLIS);
                }
                for (Pending pending : batch) {
                    if (pending.committed() != null) {
                        pending.committed().complete(null);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** One event per group of the same pulls, at the time of its first, in the order the groups began. */
    static List<Event> merged(List<Pull> pulls) {
        Map<Pull, List<Pull>> groups = new LinkedHashMap<>();
        for (Pull pull : pulls) {
            groups.computeIfAbsent(pull.sameAtAnyTime(), same -> new ArrayList<>())
                    .add(pull);
        }
        List<Event> events = new ArrayList<>(groups.size());
        for (List<Pull> group : groups.values()) {
            Pull first = group.get(0);
            events.add(new Event(
                    UUID.randomUUID(),
                    EventType.IMAGE_PULLED,
                    DomainEvents.SOURCE,
                    first.at(),
                    first.actor(),
                    new RegistryEvents.ImagePulled(
                            first.repository(),
                            first.reference(),
                            first.digest(),
                            first.mediaType(),
                            first.byTag(),
                            group.size())));
        }
        return events;
    }

    /**
     * Notes when the pulled manifests were last pulled. Rows another transaction holds (a push, a
     * prune) are skipped rather than waited for: the next pull notes them.
     */
    private void markPulled(Connection c, List<Event> events) throws SQLException {
        List<String> repositories = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (Event event : events) {
            RegistryEvents.ImagePulled pulled = (RegistryEvents.ImagePulled) event.data();
            repositories.add(pulled.repository());
            digests.add(pulled.digest());
        }
        try (PreparedStatement update = c.prepareStatement("""
                UPDATE manifest SET pulled_at = now()
                WHERE (repository_id, digest) IN (
                    SELECT m.repository_id, m.digest FROM manifest m JOIN repository r ON r.id = m.repository_id
                    WHERE (r.name, m.digest) IN (SELECT * FROM unnest(?::text[], ?::text[]))
                      AND (m.pulled_at IS NULL OR m.pulled_at < now() - make_interval(secs => ?))
                    FOR NO KEY UPDATE OF m SKIP LOCKED)""")) {
            update.setArray(1, c.createArrayOf("text", repositories.toArray()));
            update.setArray(2, c.createArrayOf("text", digests.toArray()));
            update.setDouble(3, pulledAtStaleness.toMillis() / 1000.0);
            update.executeUpdate();
        }
    }

    /** @return whether the events are committed (a failure is logged, and the caller tries again) */
    private boolean commit(List<Event> events) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement unflushed = c.createStatement()) {
                    unflushed.execute("SET LOCAL synchronous_commit TO OFF");
                }
                Outbox.appendAll(c, events);
                markPulled(c, events);
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            LOG.warnf("could not record %d pull events, trying again: %s", events.size(), e.getMessage());
            return false;
        }
    }
}
