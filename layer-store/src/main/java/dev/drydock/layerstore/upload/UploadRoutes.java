package dev.drydock.layerstore.upload;

import dev.drydock.events.Actor;
import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.layerstore.access.TokenCheck;
import dev.drydock.layerstore.blob.BlobLinks;
import dev.drydock.layerstore.storage.FilesystemBlobStore;
import dev.drydock.layerstore.storage.StorageSpace;
import dev.drydock.layerstore.storage.UploadAppender;
import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The upload half of the blob API: {@code /v2/<name>/blobs/uploads/[<id>]}. Request bodies
 * stream from the socket to the session's file through a digest; nothing holds a whole blob.
 */
@ApplicationScoped
public class UploadRoutes {

    private static final Logger LOG = Logger.getLogger(UploadRoutes.class);
    private static final Pattern PATH = Pattern.compile("^/v2/(.+)/blobs/uploads/([^/]*)$");
    private static final Pattern CONTENT_RANGE = Pattern.compile("^(?:bytes )?(\\d+)-(\\d+)$");

    private final Vertx vertx;
    private final UploadSessions sessions;
    private final BlobLinks links;
    private final FilesystemBlobStore store;
    private final UploadAppender appender;
    private final StorageSpace space;
    private final LayerStoreConfig config;
    /** The running digest of each session this instance has been appending to, by session id. */
    private final Map<UUID, RunningDigest> digests = new ConcurrentHashMap<>();

    UploadRoutes(
            Vertx vertx,
            UploadSessions sessions,
            BlobLinks links,
            FilesystemBlobStore store,
            UploadAppender appender,
            StorageSpace space,
            LayerStoreConfig config) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.links = links;
        this.store = store;
        this.appender = appender;
        this.space = space;
        this.config = config;
    }

    private record RunningDigest(MessageDigest digest, long length) {}

    void register(@Observes Router router) {
        router.routeWithRegex(PATH.pattern()).order(-10).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause();
        Matcher m = PATH.matcher(request.path());
        if (!m.matches()) {
            ctx.next();
            return;
        }
        String pathName = m.group(1);
        String id = m.group(2);
        Future<Void> done;
        try {
            String repository = TokenCheck.decidedRepository(ctx, pathName);
            HttpMethod method = request.method();
            if (id.isEmpty() && method == HttpMethod.POST) {
                done = start(ctx, pathName, repository);
            } else if (id.isEmpty()) {
                throw new OciException(ErrorCode.UNSUPPORTED, method + " needs an upload id");
            } else if (method == HttpMethod.PATCH) {
                done = blocking(() -> sessions.find(repository, id)).compose(s -> patch(ctx, pathName, s));
            } else if (method == HttpMethod.PUT) {
                Digest digest = Digest.parse(request.getParam("digest"));
                done = blocking(() -> sessions.find(repository, id)).compose(s -> finish(ctx, pathName, s, digest));
            } else if (method == HttpMethod.GET) {
                done = blocking(() -> sessions.find(repository, id)).map(s -> {
                    accepted(ctx, pathName, s, 204);
                    return null;
                });
            } else if (method == HttpMethod.DELETE) {
                done = blocking(() -> {
                            cancel(sessions.find(repository, id).id());
                            return null;
                        })
                        .map(v -> {
                            ctx.response().setStatusCode(204).end();
                            return null;
                        });
            } else {
                throw new OciException(ErrorCode.UNSUPPORTED, method + " is not an upload operation");
            }
        } catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        done.onFailure(failure -> HttpExchange.fail(ctx, failure));
    }

    /** POST: a cross-repository mount, a monolithic upload ({@code ?digest=}), or a new session. */
    private Future<Void> start(RoutingContext ctx, String pathName, String repository) {
        HttpServerRequest request = ctx.request();
        Actor actor = HttpExchange.actor(request);
        String mount = request.getParam("mount");
        String from = request.getParam("from");
        if (mount != null && from != null && ctx.get(TokenCheck.MOUNT_DENIED) == null) {
            Digest digest = Digest.parse(mount);
            String source = RepositoryName.parse(from).value();
            Future<Boolean> mounted = blocking(() -> links.mount(repository, source, digest, actor));
            return mounted.compose(ok -> {
                if (ok) {
                    created(ctx, pathName, digest);
                    return Future.succeededFuture();
                }
                return blocking(() -> sessions.start(repository)).map(s -> {
                    accepted(ctx, pathName, s, 202);
                    return null;
                });
            });
        }
        String digestParam = request.getParam("digest");
        if (digestParam == null) {
            return blocking(() -> {
                        space.requireRoomFor(-1); // a session whose chunks would be refused is no use to start
                        return sessions.start(repository);
                    })
                    .map(s -> {
                        accepted(ctx, pathName, s, 202);
                        return null;
                    });
        }
        // the whole blob in this one request: no session is recorded, since no other request can
        // name it; should this instance stop mid-upload, the file is removed as an abandoned one
        Digest digest = Digest.parse(digestParam);
        UploadSession single = new UploadSession(UUID.randomUUID(), repository, 0);
        digests.put(single.id(), new RunningDigest(Digest.newSha256(), 0));
        return finish(ctx, pathName, single, digest)
                .recover(failure -> blocking(() -> {
                            digests.remove(single.id());
                            store.deleteUpload(single.id()); // nothing can resume it
                            return null;
                        })
                        .compose(removed -> Future.failedFuture(failure)));
    }

    /** PATCH: appends a chunk, checking {@code Content-Range} when the client sends one. */
    private Future<Void> patch(RoutingContext ctx, String pathName, UploadSession session) {
        String contentRange = ctx.request().getHeader("Content-Range");
        if (contentRange != null) {
            Matcher range = CONTENT_RANGE.matcher(contentRange.trim());
            // at most 18 digits: a position past what a long holds is no position of this upload
            if (!range.matches()
                    || range.group(1).length() > 18
                    || range.group(2).length() > 18
                    || Long.parseLong(range.group(1)) != session.received()
                    || Long.parseLong(range.group(2)) < Long.parseLong(range.group(1))) {
                ctx.response().putHeader("Range", rangeHeader(session.received()));
                return Future.failedFuture(new OciException(
                        ErrorCode.RANGE_INVALID,
                        "chunk " + contentRange + " does not start at the next byte, " + session.received()));
            }
        }
        return append(ctx.request(), session)
                .compose(received -> blocking(() -> sessions.advance(session, received)))
                .map(advanced -> {
                    accepted(ctx, pathName, advanced, 202);
                    return null;
                });
    }

    /** PUT (or POST with a digest): appends the last chunk if any, verifies the digest, stores the blob. */
    private Future<Void> finish(RoutingContext ctx, String pathName, UploadSession session, Digest expected) {
        Actor actor = HttpExchange.actor(ctx.request());
        return append(ctx.request(), session)
                .compose(size -> blocking(() -> {
                    RunningDigest running = digests.remove(session.id());
                    boolean verified;
                    if (expected.algorithm().equals("sha256")) {
                        verified = running != null && running.length() == size && expected.matches(running.digest());
                    } else {
                        // Bytes are hashed with sha256 as they stream; a sha512 upload (rare) is read once more.
                        MessageDigest other = expected.newMessageDigest();
                        store.hashUpload(session.id(), size, other);
                        verified = expected.matches(other);
                    }
                    if (!verified) {
                        cancel(session.id());
                        throw new OciException(
                                ErrorCode.DIGEST_INVALID,
                                "the uploaded bytes do not have the digest " + expected + "; nothing was stored");
                    }
                    links.uploaded(session.id(), session.repository(), expected, size, actor);
                    return null;
                }))
                .map(v -> {
                    created(ctx, pathName, expected);
                    return null;
                });
    }

    /**
     * Streams the request body onto the end of the session's file, through its running digest.
     *
     * @return the session's length after the body
     */
    private Future<Long> append(HttpServerRequest request, UploadSession session) {
        long expected = contentLength(request);
        return blocking(() -> appender.open(
                        store.uploadPath(session.id()),
                        session.received(),
                        expected,
                        runningDigest(session).digest()))
                .compose(body -> body.from(request))
                .map(written -> {
                    long length = session.received() + written;
                    digests.compute(session.id(), (id, old) -> new RunningDigest(old.digest(), length));
                    return length;
                })
                .onFailure(
                        failure -> digests.remove(session.id())); // it took in part of the body: rebuild it next time
    }

    private static long contentLength(HttpServerRequest request) {
        try {
            String header = request.getHeader("Content-Length");
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The digest of the bytes received so far, rebuilt from disk if this instance has not seen them all. */
    private RunningDigest runningDigest(UploadSession session) {
        RunningDigest known = digests.get(session.id());
        if (known != null && known.length() == session.received()) {
            return known;
        }
        MessageDigest digest = Digest.newSha256();
        store.hashUpload(session.id(), session.received(), digest);
        RunningDigest rebuilt = new RunningDigest(digest, session.received());
        digests.put(session.id(), rebuilt);
        return rebuilt;
    }

    private void cancel(UUID session) throws SQLException {
        digests.remove(session);
        sessions.delete(session);
        store.deleteUpload(session);
    }

    @Scheduled(every = "${drydock.layer-store.expiry-check-interval:10m}")
    void expireAbandonedUploads() throws SQLException {
        removeAbandonedUploads();
    }

    /** Removes upload sessions and files untouched for the upload expiry; returns how many. */
    public int removeAbandonedUploads() throws SQLException {
        int removed = 0;
        for (UUID expired : sessions.expire(config.uploadExpiry())) {
            digests.remove(expired);
            store.deleteUpload(expired);
            LOG.infof("removed abandoned upload %s", expired);
            removed++;
        }
        // files of single-request uploads this instance stopped in the middle of (they have no session)
        for (UUID untouched : store.uploadsUntouchedFor(config.uploadExpiry())) {
            if (!digests.containsKey(untouched) && !sessions.exists(untouched)) {
                store.deleteUpload(untouched);
                LOG.infof("removed abandoned upload %s", untouched);
                removed++;
            }
        }
        return removed;
    }

    /** How many upload sessions {@link #removeAbandonedUploads} would remove now. */
    public int countAbandonedUploads() throws SQLException {
        return sessions.countExpired(config.uploadExpiry());
    }

    private static void accepted(RoutingContext ctx, String pathName, UploadSession session, int status) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Location", "/v2/" + pathName + "/blobs/uploads/" + session.id())
                .putHeader("Range", rangeHeader(session.received()))
                .putHeader("Docker-Upload-UUID", session.id().toString())
                .putHeader("Content-Length", "0")
                .end();
    }

    private static void created(RoutingContext ctx, String pathName, Digest digest) {
        HttpServerResponse response = ctx.response();
        response.setStatusCode(201)
                .putHeader("Location", "/v2/" + pathName + "/blobs/" + digest)
                .putHeader("Docker-Content-Digest", digest.toString())
                .putHeader("Content-Length", "0")
                .end();
    }

    /** Inclusive range of bytes received; {@code 0-0} before the first, as distribution answers. */
    private static String rangeHeader(long received) {
        return "0-" + Math.max(0, received - 1);
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }
}
