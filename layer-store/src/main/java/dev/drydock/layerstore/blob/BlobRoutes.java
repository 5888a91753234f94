package dev.drydock.layerstore.blob;

import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.access.TokenCheck;
import dev.drydock.layerstore.storage.FilesystemBlobStore;
import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading blobs ({@code GET} and {@code HEAD /v2/<name>/blobs/<digest>}, with {@code Range}) and
 * unlinking them from a repository ({@code DELETE}).
 * A blob is served only through a repository that links it, straight from the file (zero copy).
 */
@ApplicationScoped
public class BlobRoutes {

    private static final Pattern PATH = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");
    private static final Pattern RANGE = Pattern.compile("^bytes=(\\d+)-(\\d*)$");

    private final Vertx vertx;
    private final BlobLinks links;
    private final FilesystemBlobStore store;

    BlobRoutes(Vertx vertx, BlobLinks links, FilesystemBlobStore store) {
        this.vertx = vertx;
        this.links = links;
        this.store = store;
    }

    void register(@Observes Router router) {
        router.routeWithRegex(PATH.pattern()).order(-9).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        Matcher m = PATH.matcher(ctx.request().path());
        if (!m.matches() || m.group(2).equals("uploads")) {
            ctx.next();
            return;
        }
        HttpMethod method = ctx.request().method();
        try {
            if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.DELETE) {
                throw new OciException(ErrorCode.UNSUPPORTED, method + " is not supported on blobs");
            }
            String repository = TokenCheck.decidedRepository(ctx, m.group(1));
            Digest digest = Digest.parsePathSegment(m.group(2));
            if (method == HttpMethod.DELETE) {
                delete(ctx, repository, digest);
                return;
            }
            vertx.executeBlocking(() -> links.linkedSize(repository, digest), false)
                    .onSuccess(size -> serve(ctx, digest, size))
                    .onFailure(failure -> HttpExchange.fail(ctx, failure));
        } catch (RuntimeException e) {
            HttpExchange.fail(ctx, e);
        }
    }

    private void delete(RoutingContext ctx, String repository, Digest digest) {
        vertx.executeBlocking(() -> links.unlink(repository, digest, HttpExchange.actor(ctx.request())), false)
                .onSuccess(deleted -> {
                    if (deleted) {
                        ctx.response()
                                .setStatusCode(202)
                                .putHeader("Content-Length", "0")
                                .end();
                    } else {
                        HttpExchange.fail(
                                ctx,
                                new OciException(
                                        ErrorCode.BLOB_UNKNOWN, "blob unknown to this repository", digest.toString()));
                    }
                })
                .onFailure(failure -> HttpExchange.fail(ctx, failure));
    }

    /** A byte position of a Range header; past what a long holds means "beyond any blob" (-2). */
    private static long position(String digits) {
        return digits.length() > 18 ? -2 : Long.parseLong(digits);
    }

    private void serve(RoutingContext ctx, Digest digest, OptionalLong linkedSize) {
        if (linkedSize.isEmpty() || !store.contains(digest)) {
            HttpExchange.fail(
                    ctx,
                    new OciException(ErrorCode.BLOB_UNKNOWN, "blob unknown to this repository", digest.toString()));
            return;
        }
        long size = linkedSize.getAsLong();
        HttpServerResponse response = ctx.response()
                .putHeader("Docker-Content-Digest", digest.toString())
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Accept-Ranges", "bytes")
                .putHeader("ETag", "\"" + digest + "\"");
        String range = ctx.request().getHeader("Range");
        long offset = 0;
        long length = size;
        if (range != null) {
            Matcher r = RANGE.matcher(range.trim());
            long start = r.matches() ? position(r.group(1)) : -1;
            long end = r.matches() && !r.group(2).isEmpty() ? position(r.group(2)) : size - 1;
            if (start < 0 || start >= size || (end >= 0 && end < start)) {
                response.putHeader("Content-Range", "bytes */" + size);
                HttpExchange.fail(
                        ctx, new OciException(ErrorCode.RANGE_INVALID, "range " + range + " is not satisfiable"));
                return;
            }
            offset = start;
            length = Math.min(end < 0 ? Long.MAX_VALUE : end, size - 1) - start + 1;
            response.setStatusCode(206)
                    .putHeader("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + size);
        }
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader("Content-Length", Long.toString(length)).end();
        } else {
            response.sendFile(store.blobPath(digest).toString(), offset, length).onFailure(failure -> {
                if (!response.headWritten() && !store.contains(digest)) {
                    // garbage collection removed it between the link's check and the file's opening
                    response.setStatusCode(404);
                    response.headers()
                            .remove("Docker-Content-Digest")
                            .remove("ETag")
                            .remove("Accept-Ranges")
                            .remove("Content-Range");
                    HttpExchange.fail(
                            ctx,
                            new OciException(
                                    ErrorCode.BLOB_UNKNOWN, "blob unknown to this repository", digest.toString()));
                } else {
                    HttpExchange.fail(ctx, failure);
                }
            });
        }
    }
}
