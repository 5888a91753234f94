package dev.drydock.layerstore.blob;

import dev.drydock.layerstore.HttpExchange;
import dev.drydock.layerstore.access.TokenCheck;
import dev.drydock.layerstore.storage.FilesystemBlobStore;
import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
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
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** A manifest is at most 4 MiB, and the digests it references are part of it. */
    private static final long MAX_QUESTION = 4 * 1024 * 1024 + 64 * 1024;
    /** Image configs are a few kilobytes; a larger one's bytes are not sent. */
    private static final long MAX_CONTENT = 64 * 1024;

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

    private record Question(String repository, List<Digest> digests, Digest content) {}

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        try {
            if (request.method() != HttpMethod.POST) {
                throw new OciException(ErrorCode.UNSUPPORTED, 405, "POST asks which blobs a repository links", null);
            }
            String named = request.getParam("repository");
            if (named == null) {
                throw new OciException(ErrorCode.NAME_INVALID, "the question names no repository");
            }
            String repository = RepositoryName.parse(named).value();
            long length = contentLength(request);
            if (length < 0 || length > MAX_QUESTION) {
                throw new OciException(
                        ErrorCode.SIZE_INVALID, 413, "the question needs a Content-Length of at most 4 MiB", null);
            }
            request.body()
                    .map(body -> question(repository, body))
                    .compose(question -> vertx.executeBlocking(() -> answer(request, question), false))
                    .onSuccess(answer -> ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .end(answer.encode()))
                    .onFailure(failure -> HttpExchange.fail(ctx, failure));
            request.resume(); // the router pauses every request until a handler takes its body
        } catch (RuntimeException e) {
            HttpExchange.fail(ctx, e);
        }
    }

    private static long contentLength(HttpServerRequest request) {
        try {
            String header = request.getHeader("Content-Length");
            return header == null ? -1 : Long.parseLong(header);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Question question(String repository, Buffer body) {
        try {
            JsonObject json = new JsonObject(body);
            List<Digest> digests = new ArrayList<>();
            JsonArray asked = json.getJsonArray("digests");
            if (asked == null) {
                throw new OciException(ErrorCode.UNSUPPORTED, 400, "the question lists no digests", null);
            }
            for (Object digest : asked) {
                if (!(digest instanceof String text)) {
                    throw new OciException(ErrorCode.DIGEST_INVALID, "digests are strings");
                }
                digests.add(Digest.parse(text));
            }
            String content = json.getString("content");
            return new Question(repository, digests, content == null ? null : Digest.parse(content));
        } catch (DecodeException | ClassCastException e) {
            throw new OciException(ErrorCode.UNSUPPORTED, 400, "the question is not the JSON this route takes", null);
        }
    }

    private JsonObject answer(HttpServerRequest request, Question question) throws Exception {
        if (tokens.pullToken(request, question.repository()).isEmpty()) {
            throw new OciException(
                    ErrorCode.UNAUTHORIZED,
                    "a registry token that may pull from " + question.repository() + " is required");
        }
        Map<String, Long> sizes = links.linkedSizes(question.repository(), question.digests());
        JsonArray linked = new JsonArray();
        JsonObject answer = new JsonObject().put("linked", linked);
        for (Digest digest : question.digests()) {
            // a link whose file is gone is no link: a blob HEAD answers 404 for it too
            if (sizes.containsKey(digest.toString()) && store.contains(digest)) {
                linked.add(digest.toString());
                if (digest.equals(question.content()) && sizes.get(digest.toString()) <= MAX_CONTENT) {
                    content(digest)
                            .ifPresent(bytes ->
                                    answer.put("content", Base64.getEncoder().encodeToString(bytes)));
                }
            }
        }
        return answer;
    }

    /** The blob's bytes; empty if its file went away meanwhile (garbage collection). */
    private Optional<byte[]> content(Digest digest) {
        try {
            return Optional.of(Files.readAllBytes(store.blobPath(digest)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
