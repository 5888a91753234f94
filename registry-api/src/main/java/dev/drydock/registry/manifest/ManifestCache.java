package dev.drydock.registry.manifest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The manifests pulls asked for lately, by repository and reference, so that a pull of a tag does
 * not cost a PostgreSQL round trip each time (most of a manifest GET's cost when it does).
 *
 * <p>Kept right across instances: every change to a row of {@code manifest} or {@code tag}
 * notifies the repository's id on {@value #CHANNEL} (R__manifest_change_notifications.sql), and each instance listens on a
 * connection of its own and drops what it holds of that repository; while it is not listening it
 * neither keeps nor answers anything. This instance's own changes drop the repository's entries
 * synchronously, once their transaction ends, so a client sees its push in its next pull. A lookup
 * that started before a change is not kept after it (the generation check). Another instance's
 * change reaches this one within the notification's delivery, a few milliseconds.
 */
@ApplicationScoped
public class ManifestCache {

    static final String CHANNEL = "drydock_manifests_changed";
    private static final Logger LOG = Logger.getLogger(ManifestCache.class);
    /** Manifests are small; a 4 MiB one is read from the database each time rather than crowd out others. */
    private static final int LARGEST_KEPT = 256 * 1024;

    private static final long MAX_BYTES = 32L * 1024 * 1024;

    private record Key(String repository, String reference) {}

    private record Entry(long repositoryId, StoredManifest manifest) {}

    private final Cache<Key, Entry> entries = Caffeine.newBuilder()
            .maximumWeight(MAX_BYTES)
            .weigher((Key key, Entry entry) -> entry.manifest().content().length + 256)
            .build();
    private final TransactionSynchronizationRegistry transactions;
    private final String url;
    private final String user;
    private final String password;
    /** Moves on at every change; guarded by this. */
    private long generation;

    private volatile boolean listening;
    private volatile boolean running;
    private volatile Connection listener;

    ManifestCache(
            TransactionSynchronizationRegistry transactions,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.transactions = transactions;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** The manifest kept for this reference, or null. */
    StoredManifest get(String repository, String reference) {
        if (!listening) {
            return null;
        }
        Entry entry = entries.getIfPresent(new Key(repository, reference));
        return entry == null ? null : entry.manifest();
    }

    /** To be read before looking in the database, and handed to {@link #keep}. */
    synchronized long generation() {
        return generation;
    }

    /** Keeps what the database answered, unless something changed since {@code generationBefore}. */
    synchronized void keep(
            long generationBefore, String repository, String reference, long repositoryId, StoredManifest manifest) {
        if (listening && generation == generationBefore && manifest.content().length <= LARGEST_KEPT) {
            entries.put(new Key(repository, reference), new Entry(repositoryId, manifest));
        }
    }

    /**
     * The repository's manifests or tags are changing in the current transaction: nothing read
     * meanwhile is kept, and its entries go once the transaction ends (at once when there is none).
     */
    public void changing(long repositoryId) {
        forget(repositoryId);
        if (transactions.getTransactionKey() != null) {
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {}

                @Override
                public void afterCompletion(int status) {
                    forget(repositoryId); // committed or rolled back: either way what is kept may be older
                }
            });
        }
    }

    private synchronized void forget(long repositoryId) {
        generation++;
        entries.asMap().values().removeIf(entry -> entry.repositoryId() == repositoryId);
    }

    private synchronized void forgetAll() {
        generation++;
        entries.invalidateAll();
    }

    void start(@Observes StartupEvent started) {
        running = true;
        Thread thread = new Thread(this::listen, "manifest-changes");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stopping) {
        running = false;
        listening = false;
        Connection connection = listener;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing is all that is left to do
            }
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, user, password)) {
                listener = connection;
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                forgetAll(); // changes before LISTEN were not heard
                listening = true;
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] heard = notifications.getNotifications(1000);
                    if (heard != null) {
                        for (PGNotification notification : heard) {
                            forget(Long.parseLong(notification.getParameter()));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                forgetAll();
                if (running) {
                    LOG.warnf(
                            "not hearing of manifest changes (%s); the cache is off until it hears again",
                            e.getMessage());
                    sleep();
                }
            } finally {
                listening = false;
                listener = null;
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: whether lookups are being kept (the listener is connected). */
    boolean isListening() {
        return listening;
    }
}
