package dev.drydock.portal;

import dev.drydock.portal.session.VisitorCredentials;
import dev.drydock.readapi.RepositorySummary;
import dev.drydock.readapi.Sharing;
import dev.drydock.readapi.TagChange;
import io.quarkus.qute.TemplateData;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The platform's REST API through the front door, as the visitor: every call carries the signed-in
 * visitor's token (none for anonymous visitors), so the platform decides what they may see and do.
 * A refused call throws {@link jakarta.ws.rs.WebApplicationException}; {@link Problem} reads why.
 */
@RegisterRestClient(configKey = "front-door")
@RegisterClientHeaders(VisitorCredentials.class)
@Path("/api/v1")
@Consumes(MediaType.APPLICATION_JSON)
public interface FrontDoor {

    record AuditEntry(
            long seq,
            String type,
            String subject,
            String namespace,
            String actor,
            String clientAddress,
            Instant occurredAt,
            Map<String, Object> data) {
        /** {@code dev.drydock.manifest.pushed} reads as {@code manifest pushed}. */
        public String what() {
            return type.replace("dev.drydock.", "").replace('.', ' ').replace('_', ' ');
        }
    }

    record AuditPage(List<AuditEntry> items, Long next) {}

    record Membership(String organization, String role) {}

    record Me(String username, boolean admin, List<Membership> organizations) {
        public boolean administers(String organization) {
            return admin
                    || organizations.stream()
                            .anyMatch(m -> m.organization().equals(organization)
                                    && m.role().equals("admin"));
        }

        /** A namespace is administered by the user it is, an organisation's admins, and platform admins. */
        public boolean administersNamespace(String namespace) {
            return username.equals(namespace) || administers(namespace);
        }
    }

    record TokenInfo(
            UUID id,
            String name,
            String scope,
            Instant createdAt,
            Instant expiresAt,
            Instant lastUsedAt,
            Instant revokedAt) {}

    record NewToken(String name, String scope, Instant expiresAt) {}

    record CreatedToken(UUID id, String name, String scope, String token) {}

    record Member(String username, String role) {}

    record Team(String name, String role, List<String> repositories, List<String> members) {}

    record TeamDefinition(String role, List<String> repositories, List<String> members) {}

    record NewRepository(String name, String visibility, String description, String readme) {}

    record RepositoryChange(String visibility, String description, String readme) {}

    /** What a repository or a namespace stores ({@code docker system df}); see registry-api's {@code StorageUsage}. */
    @TemplateData // also read in included templates, whose expressions are not type-checked
    record StorageFigures(
            long tags,
            long images,
            long manifests,
            long danglingManifests,
            long blobs,
            long logicalBytes,
            long storedBytes,
            long uniqueBytes,
            long sharedBytes,
            long reclaimableBytes) {}

    @TemplateData
    record RepositoryUsage(String repository, StorageFigures usage) {}

    @TemplateData
    record StorageReport(String scope, StorageFigures total, List<RepositoryUsage> repositories) {}

    /** {@code all}: apply the retention rules first (their tags go), then prune what no tag reaches. */
    record PruneRequest(String repository, String namespace, String until, Boolean dryRun, Boolean all) {}

    @TemplateData
    record PrunedTag(String repository, String tag, String digest) {
        public String shortDigest() {
            return digest.length() > 19 ? digest.substring(0, 19) : digest;
        }
    }

    @TemplateData
    record PrunedManifest(String repository, String digest, String mediaType, Instant pushedAt) {
        public String shortDigest() {
            return digest.length() > 19 ? digest.substring(0, 19) : digest;
        }
    }

    @TemplateData
    record PruneReport(
            String scope, boolean dryRun, List<PrunedTag> tags, List<PrunedManifest> manifests, long bytesFreed) {}

    /**
     * One retention rule, as registry-api's {@code RetentionPolicy.Rule}: the tags it looks at (a
     * pattern with {@code *}) and one of keep the last N, remove older than, remove not pulled for.
     */
    @TemplateData
    record RetentionRule(String tags, Integer keepLast, String olderThan, String notPulledFor) {}

    @TemplateData
    record RetentionPolicy(List<RetentionRule> rules, List<String> protect) {}

    /** The rules stored for a repository or a namespace, and who last changed them. */
    @TemplateData
    record StoredRetention(String kind, String name, RetentionPolicy policy, String updatedBy, Instant updatedAt) {}

    record RetentionRequest(String repository, String namespace, List<RetentionRule> rules, List<String> protect) {}

    @GET
    @Path("/storage")
    StorageReport storage(
            @QueryParam("repository") String repository,
            @QueryParam("namespace") String namespace,
            @QueryParam("verbose") boolean verbose);

    @POST
    @Path("/prune")
    PruneReport prune(PruneRequest request);

    /** @throws jakarta.ws.rs.NotFoundException when there are none, or the visitor does not administer them */
    @GET
    @Path("/retention")
    StoredRetention retention(@QueryParam("repository") String repository, @QueryParam("namespace") String namespace);

    @PUT
    @Path("/retention")
    StoredRetention putRetention(RetentionRequest request);

    @DELETE
    @Path("/retention")
    void deleteRetention(@QueryParam("repository") String repository, @QueryParam("namespace") String namespace);

    @GET
    @Path("/repositories")
    List<RepositorySummary> repositories(@QueryParam("namespace") String namespace, @QueryParam("limit") int limit);

    /** @throws jakarta.ws.rs.NotFoundException for a repository the visitor may not see, or an unknown one */
    @GET
    @Path("/repositories/{name}")
    RepositorySummary repository(@PathParam("name") @Encoded String name);

    @GET
    @Path("/search")
    List<RepositorySummary> search(
            @QueryParam("q") String query,
            @QueryParam("official") Boolean official,
            @QueryParam("organization") String organization,
            @QueryParam("platform") String platform,
            @QueryParam("sort") String sort,
            @QueryParam("offset") int offset,
            @QueryParam("limit") int limit);

    @GET
    @Path("/repositories/{name}/manifests/{digest}/sharing")
    Map<String, Sharing> sharing(@PathParam("name") @Encoded String name, @PathParam("digest") String digest);

    @GET
    @Path("/repositories/{name}/tags/{tag}/history")
    List<TagChange> tagHistory(@PathParam("name") @Encoded String name, @PathParam("tag") String tag);

    @PUT
    @Path("/repositories/{name}/tags/{tag}")
    void pointTag(@PathParam("name") @Encoded String name, @PathParam("tag") String tag, Map<String, String> target);

    @POST
    @Path("/repositories")
    void createRepository(NewRepository repository);

    @PATCH
    @Path("/repositories/{name}")
    void changeRepository(@PathParam("name") @Encoded String name, RepositoryChange change);

    @DELETE
    @Path("/repositories/{name}")
    void deleteRepository(@PathParam("name") @Encoded String name);

    @PUT
    @Path("/repositories/{name}/star")
    void star(@PathParam("name") @Encoded String name);

    @DELETE
    @Path("/repositories/{name}/star")
    void unstar(@PathParam("name") @Encoded String name);

    @GET
    @Path("/audit")
    AuditPage audit(
            @QueryParam("organization") String organization,
            @QueryParam("repository") String repository,
            @QueryParam("actor") String actor,
            @QueryParam("type") String type,
            @QueryParam("cursor") Long cursor,
            @QueryParam("limit") int limit);

    @GET
    @Path("/users/me")
    Me me();

    @GET
    @Path("/tokens")
    List<TokenInfo> tokens();

    @POST
    @Path("/tokens")
    CreatedToken createToken(NewToken token);

    @DELETE
    @Path("/tokens/{id}")
    void revokeToken(@PathParam("id") UUID id);

    @POST
    @Path("/organizations")
    void createOrganization(Map<String, String> organization);

    @GET
    @Path("/organizations/{organization}/members")
    List<Member> members(@PathParam("organization") String organization);

    @PUT
    @Path("/organizations/{organization}/members/{username}")
    void setMember(
            @PathParam("organization") String organization,
            @PathParam("username") String username,
            Map<String, String> membership);

    @DELETE
    @Path("/organizations/{organization}/members/{username}")
    void removeMember(@PathParam("organization") String organization, @PathParam("username") String username);

    @GET
    @Path("/organizations/{organization}/teams")
    List<Team> teams(@PathParam("organization") String organization);

    @PUT
    @Path("/organizations/{organization}/teams/{team}")
    void putTeam(
            @PathParam("organization") String organization, @PathParam("team") String team, TeamDefinition definition);
}
