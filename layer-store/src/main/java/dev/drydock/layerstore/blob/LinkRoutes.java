package dev.drydock.layerstore.blob;

import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.access.TokenCheck;
import dev.drydock.layerstore.storage.FilesystemBlobStore;
import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /internal/links?repository=<name>}: which of the blobs a manifest references the
 * repository links, in one answer, with the bytes of one of them (the image config, which names
 * the platform) when it is linked and small. registry-api asks it once per manifest push instead
 * of a blob HEAD per reference and a GET of the config; the question's body is
 * {@code {"digests": [...], "content": "<digest>"}}, the answer
 * {@code {"linked": [...], "content": "<base64>"}}.
 *
 * <p>It tells no more than the blob routes do: the caller's registry token must allow pulling
 * from the repository, as a blob HEAD's and GET's must, and links are touched as a HEAD touches
 * them. The front door has no route to it.
 */
@ApplicationScoped
public class LinkRoutes {

    /** At most this many distinct digests per question; registry-api asks about more in several. */
    public static final int MAX_DIGESTS = 1000;
    /** A question of {@link #MAX_DIGESTS} sha512 digests, with room to spare. */
    private static final long MAX_QUESTION = 256 * 1024;
    /** Image configs are a few kilobytes; a larger one's bytes are not sent. */
    private static final int MAX_CONTENT = 64 * 1024;

    private final Vertx vertx;
    private final TokenCheck tokens;
    private final BlobLinks links;
    private final FilesystemBlobStore store;

    LinkRoutes(Vertx vertx, TokenCheck tokens, BlobLinks links, FilesystemBlobStore store) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.links = links;
        this.store = store;
    }

    void register(@Observes Router router) {
        router.route("/internal/links").order(-8).handler(this::handle);
    }

    private record Question(String repository, Set<Digest> digests, Digest content) {}

    /**
     * The name, the length and the token are checked before any of the body is read: a caller that
     * may not pull from the repository gets nothing buffered or parsed.
     */
    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        AtomicBoolean taken = new AtomicBoolean();
        try {
            if (request.method() != HttpMethod.POST) {
                ctx.response().putHeader("Allow", "POST");
                throw new OciException(ErrorCode.UNSUPPORTED, 405, "POST asks which blobs a repository links", null);
            }
            String repository = repository(request);
            String length = request.getHeader("Content-Length");
            if (length == null) {
                throw new OciException(ErrorCode.SIZE_INVALID, 411, "the question needs a Content-Length", null);
            }
            if (!length.matches("\\d{1,7}") || Long.parseLong(length) > MAX_QUESTION) {
                throw new OciException(
                        ErrorCode.SIZE_INVALID, 413, "a question is at most " + MAX_QUESTION + " bytes", null);
            }
            vertx.executeBlocking(() -> tokens.pullToken(request, repository).isPresent(), false)
                    .compose(allowed -> {
                        if (!allowed) {
                            return Future.failedFuture(new OciException(
                                    ErrorCode.UNAUTHORIZED,
                                    "a registry token that may pull from " + repository + " is required"));
                        }
                        Future<Buffer> body = request.body();
                        request.resume(); // Quarkus hands the request over paused until its body is taken
                        taken.set(true);
                        return body;
                    })
                    .map(body -> question(repository, body))
                    .compose(question -> vertx.executeBlocking(() -> answer(question), false))
                    .onSuccess(answer -> ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .end(answer.encode()))
                    .onFailure(failure -> refuse(ctx, failure, taken.get()));
        } catch (RuntimeException e) {
            refuse(ctx, e, false);
        }
    }

    /** Answers a failure; a connection whose body was left unread is closed once the answer is out. */
    private static void refuse(RoutingContext ctx, Throwable failure, boolean bodyTaken) {
        if (!bodyTaken) {
            ctx.response().endHandler(ended -> ctx.request().connection().close());
        }
        HttpExchange.fail(ctx, failure);
    }

    private static String repository(HttpServerRequest request) {
        String named;
        try {
            named = request.getParam("repository");
        } catch (IllegalArgumentException e) { // a query string that does not decode (%zz)
            throw new OciException(ErrorCode.NAME_INVALID, "the query string is not well formed");
        }
        if (named == null) {
            throw new OciException(ErrorCode.NAME_INVALID, "the question names no repository");
        }
        return RepositoryName.parse(named).value();
    }

    private static Question question(String repository, Buffer body) {
        try {
            JsonObject json = new JsonObject(body);
            JsonArray asked = json.getJsonArray("digests");
            if (asked == null) {
                throw new OciException(ErrorCode.UNSUPPORTED, 400, "the question lists no digests", null);
            }
            Set<Digest> digests = new LinkedHashSet<>();
            for (Object digest : asked) {
                if (!(digest instanceof String text)) {
                    throw new OciException(ErrorCode.DIGEST_INVALID, "digests are strings");
                }
                digests.add(Digest.parse(text));
            }
            if (digests.size() > MAX_DIGESTS) {
                throw new OciException(
                        ErrorCode.SIZE_INVALID, "a question names at most " + MAX_DIGESTS + " distinct digests");
            }
            String content = json.getString("content");
            return new Question(repository, digests, content == null ? null : Digest.parse(content));
        } catch (DecodeException | ClassCastException e) {
            throw new OciException(ErrorCode.UNSUPPORTED, 400, "the question is not the JSON this route takes", null);
        }
    }

    private JsonObject answer(Question question) throws Exception {
        Map<String, Long> sizes = links.linkedSizes(question.repository(), List.copyOf(question.digests()));
        JsonArray linked = new JsonArray();
        for (Digest digest : question.digests()) {
            // a link whose file is gone is no link: a blob HEAD answers 404 for it too
            if (sizes.containsKey(digest.toString()) && store.contains(digest)) {
                linked.add(digest.toString());
            }
        }
        JsonObject answer = new JsonObject().put("linked", linked);
        Digest content = question.content();
        if (content != null && linked.contains(content.toString())) {
            content(content)
                    .ifPresent(
                            bytes -> answer.put("content", Base64.getEncoder().encodeToString(bytes)));
        }
        return answer;
    }

    /** The blob's bytes, if it is at most {@link #MAX_CONTENT} and its file is still there. */
    private Optional<byte[]> content(Digest digest) {
        try (InputStream in = Files.newInputStream(store.blobPath(digest))) {
            byte[] bytes = in.readNBytes(MAX_CONTENT + 1);
            return bytes.length > MAX_CONTENT ? Optional.empty() : Optional.of(bytes);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
