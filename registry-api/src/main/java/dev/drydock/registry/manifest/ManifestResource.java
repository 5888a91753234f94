package dev.drydock.registry.manifest;

import dev.drydock.oci.Digest;
import dev.drydock.oci.ErrorCode;
import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import dev.drydock.oci.Tag;
import dev.drydock.oci.token.Action;
import dev.drydock.registry.auth.Decision;
import dev.drydock.registry.frontdoor.Actors;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.unchecked.Unchecked;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v2/<name>/manifests/<reference>}: push and pull manifests by tag or digest. */
@Path("/v2")
public class ManifestResource {

    /** Larger manifests are refused, as distribution does. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private final Manifests manifests;
    private final LayerStoreClient layerStore;

    ManifestResource(Manifests manifests, LayerStoreClient layerStore) {
        this.manifests = manifests;
        this.layerStore = layerStore;
    }

    /**
     * A GET is a pull (see {@link PullEvents} for when its event is committed). A manifest the
     * cache holds is mostly answered before this, on the event loop ({@link CachedManifestReads});
     * what comes here is read on a worker thread (from the cache when it holds it).
     */
    @GET
    @Path("{name: .+}/manifests/{reference}")
    public Uni<Response> get(
            @Encoded @PathParam("name") String name,
            @PathParam("reference") String reference,
            @Context HttpHeaders request,
            @Context HttpServerRequest http,
            @Context RoutingContext ctx) {
        RepositoryName repository = Decision.require(ctx, name, Action.PULL);
        return Uni.createFrom()
                .item(Unchecked.supplier(() -> {
                    StoredManifest manifest = acceptable(manifests.resolve(repository, reference), request, reference);
                    manifests.pulled(repository, reference, manifest, Actors.of(http));
                    return headers(Response.ok(manifest.content()), manifest).build();
                }))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @HEAD
    @Path("{name: .+}/manifests/{reference}")
    public Response head(
            @Encoded @PathParam("name") String name,
            @PathParam("reference") String reference,
            @Context HttpHeaders request,
            @Context RoutingContext ctx)
            throws SQLException {
        RepositoryName repository = Decision.require(ctx, name, Action.PULL);
        StoredManifest manifest = acceptable(manifests.resolve(repository, reference), request, reference);
        return headers(Response.ok(), manifest)
                .header(HttpHeaders.CONTENT_LENGTH, manifest.content().length)
                .build();
    }

    @DELETE
    @Path("{name: .+}/manifests/{reference}")
    public Response delete(
            @Encoded @PathParam("name") String name,
            @PathParam("reference") String reference,
            @Context HttpServerRequest request,
            @Context RoutingContext ctx)
            throws SQLException {
        manifests.delete(Decision.require(ctx, name, Action.DELETE), reference, Actors.of(request));
        return Response.accepted().build();
    }

    /**
     * The stored bytes are never converted: a client whose {@code Accept} names media types, none
     * of them the manifest's (nor a wildcard), is told the manifest is not there in a form it takes.
     */
    private static StoredManifest acceptable(StoredManifest manifest, HttpHeaders request, String reference) {
        if (accepts(request.getRequestHeader(HttpHeaders.ACCEPT), manifest)) {
            return manifest;
        }
        throw new OciException(
                ErrorCode.MANIFEST_UNKNOWN,
                "the manifest is a " + manifest.mediaType() + ", which the request's Accept header does not include",
                reference);
    }

    /** Whether {@code Accept} headers (none, or null, take anything) take the manifest as it is stored. */
    static boolean accepts(List<String> acceptHeaders, StoredManifest manifest) {
        List<String> accepted = acceptHeaders == null
                ? List.of()
                : acceptHeaders.stream()
                        .flatMap(header -> Arrays.stream(header.split(",")))
                        .map(type -> type.split(";")[0].trim())
                        .filter(type -> !type.isEmpty())
                        .toList();
        return accepted.isEmpty()
                || accepted.contains(manifest.mediaType())
                || accepted.stream().anyMatch(type -> type.equals("*/*") || type.equals("application/*"));
    }

    @PUT
    @Path("{name: .+}/manifests/{reference}")
    @Consumes(MediaType.WILDCARD)
    public Response put(
            @Encoded @PathParam("name") String name,
            @PathParam("reference") String reference,
            @QueryParam("tag") List<String> extraTags,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            InputStream body,
            @Context HttpServerRequest request,
            @Context RoutingContext ctx)
            throws IOException, SQLException {
        RepositoryName repository = Decision.require(ctx, name, Action.PUSH);
        List<Tag> tags = new ArrayList<>();
        Digest expected = null;
        if (Digest.looksLikeDigest(reference)) {
            expected = Digest.parse(reference);
        } else {
            tags.add(new Tag(reference));
        }
        for (String extra : extraTags) {
            tags.add(new Tag(extra));
        }
        byte[] content = body.readNBytes(MAX_MANIFEST_BYTES + 1);
        if (content.length > MAX_MANIFEST_BYTES) {
            throw new OciException(
                    ErrorCode.SIZE_INVALID, 413, "manifests are limited to " + MAX_MANIFEST_BYTES + " bytes", null);
        }
        ParsedManifest manifest = ManifestParser.parse(content, contentType);
        if (expected != null) {
            MessageDigest actual = expected.newMessageDigest();
            actual.update(content);
            if (!expected.matches(actual)) {
                throw new OciException(
                        ErrorCode.DIGEST_INVALID,
                        "the manifest's digest is " + manifest.digest() + ", not " + expected);
            }
            // pushed by a sha512 digest: stored and answered under that digest
            manifest = manifest.withDigest(expected);
        }
        manifests.push(repository, manifest, tags, Actors.of(request), m -> layerStore.check(repository, m));
        Response.ResponseBuilder created = Response.status(201)
                .header(HttpHeaders.LOCATION, "/v2/" + name + "/manifests/" + manifest.digest())
                .header("Docker-Content-Digest", manifest.digest().toString());
        if (manifest.subject() != null) {
            created.header("OCI-Subject", manifest.subject().toString());
        }
        return created.build();
    }

    private static Response.ResponseBuilder headers(Response.ResponseBuilder response, StoredManifest manifest) {
        answerHeaders(manifest).forEach(response::header);
        return response;
    }

    /** The headers of a manifest's GET or HEAD, here and in {@link CachedManifestReads}, besides its length. */
    static Map<String, String> answerHeaders(StoredManifest manifest) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(HttpHeaders.CONTENT_TYPE, manifest.mediaType());
        headers.put("Docker-Content-Digest", manifest.digest());
        headers.put(HttpHeaders.ETAG, "\"" + manifest.digest() + "\"");
        if (manifest.subjectDigest() != null) {
            headers.put("OCI-Subject", manifest.subjectDigest());
        }
        return headers;
    }
}
