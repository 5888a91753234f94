package dev.drydock.portal.repository;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.Problem;
import dev.drydock.portal.Projections;
import dev.drydock.portal.ReadViews;
import dev.drydock.portal.image.Image;
import dev.drydock.portal.image.ImageReader;
import dev.drydock.portal.session.AccountPages;
import dev.drydock.portal.session.Visitor;
import dev.drydock.readapi.RepositorySummary;
import dev.drydock.readapi.Sharing;
import dev.drydock.readapi.TagChange;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * {@code /r/<name>} and below: a repository (README, pull command, stars, pulls, tags), its settings,
 * a tag's image (platforms, layers, history, inspect, raw manifest) and a tag's history with restore.
 * Everything is read as the visitor, so a repository they may not see is a 404 like a missing one.
 */
@Path("/r")
@Produces(MediaType.TEXT_HTML)
public class RepositoryPage {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*");
    private static final Pattern TAG_PAGE =
            Pattern.compile("^(.+)/tags/([A-Za-z0-9_][A-Za-z0-9._-]{0,127})(/history)?$");
    private static final Pattern MANIFEST_PAGE = Pattern.compile("^(.+)/manifests/(sha256:[a-f0-9]{64})$");
    private static final Pattern SETTINGS_PAGE = Pattern.compile("^(.+)/settings$");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance repository(
                RepositorySummary repository, String readme, boolean administers, FrontDoor.StorageReport storage);

        static native TemplateInstance image(
                RepositorySummary repository, String tag, Image image, Map<String, Sharing> sharing);

        static native TemplateInstance tagHistory(
                RepositorySummary repository, String tag, List<TagChange> changes, boolean writer);

        static native TemplateInstance settings(
                RepositorySummary repository,
                Problem problem,
                FrontDoor.StorageReport storage,
                FrontDoor.PruneReport prune,
                RetentionForm retention);

        static native TemplateInstance notFound(String name);
    }

    private final FrontDoor frontDoor;
    private final ImageReader images;
    private final Visitor visitor;

    RepositoryPage(@RestClient FrontDoor frontDoor, ImageReader images, Visitor visitor) {
        this.frontDoor = frontDoor;
        this.images = images;
        this.visitor = visitor;
    }

    @GET
    @Path("{path: .+}")
    public Response page(@PathParam("path") String path) {
        Matcher tag = TAG_PAGE.matcher(path);
        Matcher manifest = MANIFEST_PAGE.matcher(path);
        Matcher settings = SETTINGS_PAGE.matcher(path);
        try {
            if (tag.matches() && tag.group(3) != null) {
                RepositorySummary repository = summary(tag.group(1));
                return ok(Templates.tagHistory(
                        repository,
                        tag.group(2),
                        frontDoor.tagHistory(repository.name(), tag.group(2)),
                        writes(repository)));
            }
            if (tag.matches()) {
                RepositorySummary repository = summary(tag.group(1));
                return image(repository, tag.group(2), images.read(repository.name(), tag.group(2)));
            }
            if (manifest.matches()) {
                RepositorySummary repository = summary(manifest.group(1));
                return image(repository, null, images.read(repository.name(), manifest.group(2)));
            }
            if (settings.matches()) {
                RepositorySummary repository = summary(settings.group(1));
                return ok(settingsPage(repository, null, null));
            }
            RepositorySummary repository = summary(path);
            return ok(Templates.repository(
                    repository,
                    Markdown.toHtml(repository.readme()),
                    administers(repository),
                    storage(repository.name())));
        } catch (NotFoundException e) {
            return notFound(path);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return notFound(path);
            }
            throw e;
        }
    }

    @POST
    @Path("{path: .+}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response change(
            @PathParam("path") String path,
            @FormParam("csrf") String csrf,
            @FormParam("action") String action,
            @FormParam("digest") String digest,
            @FormParam("visibility") String visibility,
            @FormParam("description") String description,
            @FormParam("readme") String readme,
            @FormParam("confirm") String confirm,
            @FormParam("all") String all,
            @FormParam("ruleTags") List<String> ruleTags,
            @FormParam("ruleKind") List<String> ruleKinds,
            @FormParam("ruleValue") List<String> ruleValues,
            @FormParam("protect") String protect) {
        visitor.checkCsrf(csrf);
        if (!visitor.signedIn()) {
            return AccountPages.signInFirst("/r/" + path);
        }
        Matcher tag = TAG_PAGE.matcher(path);
        Matcher settings = SETTINGS_PAGE.matcher(path);
        try {
            if ("restore".equals(action) && tag.matches()) {
                String name = full(tag.group(1));
                frontDoor.pointTag(name, tag.group(2), Map.of("digest", digest == null ? "" : digest));
                Projections.awaitShown(() -> frontDoor.repository(name).tags().stream()
                        .anyMatch(
                                t -> t.name().equals(tag.group(2)) && t.digest().equals(digest)));
                return Response.seeOther(URI.create("/r/" + name + "/tags/" + tag.group(2) + "/history"))
                        .build();
            }
            if ("settings".equals(action) && settings.matches()) {
                String name = full(settings.group(1));
                try {
                    frontDoor.changeRepository(name, new FrontDoor.RepositoryChange(visibility, description, readme));
                } catch (WebApplicationException e) {
                    Problem problem = Problem.of(e);
                    if (problem.status() == 400) {
                        return Response.status(400)
                                .entity(settingsPage(summary(name), problem, null))
                                .build();
                    }
                    throw e;
                }
                Projections.awaitShown(() -> {
                    RepositorySummary now = frontDoor.repository(name);
                    return (description == null || description.strip().equals(now.description()))
                            && (readme == null || readme.equals(now.readme()))
                            && (visibility == null || visibility.equals(now.visibility()));
                });
                return Response.seeOther(URI.create("/r/" + name)).build();
            }
            if ("delete".equals(action) && settings.matches()) {
                RepositorySummary repository = summary(settings.group(1));
                if (confirm == null
                        || !(confirm.strip().equals(repository.name())
                                || confirm.strip().equals(ReadViews.displayName(repository)))) {
                    return Response.status(400)
                            .entity(settingsPage(
                                    repository,
                                    new Problem(
                                            400,
                                            "Type " + ReadViews.displayName(repository) + " to confirm the deletion.",
                                            "confirm"),
                                    null))
                            .build();
                }
                frontDoor.deleteRepository(repository.name());
                Projections.awaitShown(() -> {
                    try {
                        frontDoor.repository(repository.name());
                        return false;
                    } catch (WebApplicationException gone) {
                        return gone.getResponse().getStatus() == 404;
                    }
                });
                FrontDoor.Me me = visitor.me(frontDoor::me);
                boolean organization = me.organizations().stream()
                        .anyMatch(m -> m.organization().equals(repository.namespace()));
                return Response.seeOther(URI.create((organization ? "/orgs/" : "/u/") + repository.namespace()))
                        .build();
            }
            if (("prune-preview".equals(action) || "prune".equals(action)) && settings.matches()) {
                RepositorySummary repository = summary(settings.group(1));
                boolean dryRun = "prune-preview".equals(action);
                FrontDoor.PruneReport report;
                try {
                    report = frontDoor.prune(
                            new FrontDoor.PruneRequest(repository.name(), null, null, dryRun, "true".equals(all)));
                } catch (WebApplicationException e) {
                    Problem problem = Problem.of(e);
                    if (problem.status() == 404 || problem.status() == 403) {
                        return Response.status(403)
                                .entity(settingsPage(
                                        repository,
                                        new Problem(
                                                403,
                                                "Only those who administer " + ReadViews.displayName(repository)
                                                        + " may prune it.",
                                                "prune"),
                                        null))
                                .build();
                    }
                    throw e;
                }
                return ok(settingsPage(repository, null, report));
            }
            if ("retention".equals(action) && settings.matches()) {
                RepositorySummary repository = summary(settings.group(1));
                RetentionForm form = RetentionForm.submitted(
                        settingsUrl(repository),
                        storedRetention(repository.name()),
                        ruleTags,
                        ruleKinds,
                        ruleValues,
                        protect);
                try {
                    frontDoor.putRetention(new FrontDoor.RetentionRequest(
                            repository.name(), null, form.rules(), form.protectPatterns()));
                } catch (RetentionForm.Invalid e) {
                    return Response.status(400)
                            .entity(settingsPage(repository, new Problem(400, e.getMessage(), "rules"), null, form))
                            .build();
                } catch (WebApplicationException e) {
                    Problem problem = Problem.of(e);
                    if (problem.status() == 400) {
                        Problem shown =
                                problem.about("protect") ? problem : new Problem(400, problem.detail(), "rules");
                        return Response.status(400)
                                .entity(settingsPage(repository, shown, null, form))
                                .build();
                    }
                    if (problem.status() == 404 || problem.status() == 403) {
                        return Response.status(403)
                                .entity(settingsPage(
                                        repository,
                                        new Problem(
                                                403,
                                                "Only those who " + "administer " + ReadViews.displayName(repository)
                                                        + " may change its retention rules.",
                                                "rules"),
                                        null,
                                        form))
                                .build();
                    }
                    throw e;
                }
                return Response.seeOther(URI.create("/r/" + repository.name() + "/settings#retention"))
                        .build();
            }
            if ("retention-remove".equals(action) && settings.matches()) {
                RepositorySummary repository = summary(settings.group(1));
                try {
                    frontDoor.deleteRetention(repository.name(), null);
                } catch (WebApplicationException e) {
                    if (e.getResponse().getStatus() != 404) {
                        throw e;
                    }
                    if (!administers(repository)) { // for its admins, none left is what was asked
                        return Response.status(403)
                                .entity(settingsPage(
                                        repository,
                                        new Problem(
                                                403,
                                                "Only those who " + "administer " + ReadViews.displayName(repository)
                                                        + " may change its retention rules.",
                                                null),
                                        null))
                                .build();
                    }
                }
                return Response.seeOther(URI.create("/r/" + repository.name() + "/settings#retention"))
                        .build();
            }
            if ("star".equals(action) || "unstar".equals(action)) {
                String name = full(path);
                boolean star = "star".equals(action);
                if (star) {
                    frontDoor.star(name);
                } else {
                    frontDoor.unstar(name);
                }
                Projections.awaitShown(() -> frontDoor.repository(name).starred() == star);
                return Response.seeOther(URI.create("/r/" + name)).build();
            }
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return notFound(path);
            }
            throw e;
        }
        return notFound(path);
    }

    private Response image(RepositorySummary repository, String tag, Image image) {
        Map<String, Sharing> sharing =
                image.layers().isEmpty() ? Map.of() : frontDoor.sharing(repository.name(), image.digest());
        return ok(Templates.image(repository, tag, image, sharing));
    }

    private TemplateInstance settingsPage(RepositorySummary repository, Problem problem, FrontDoor.PruneReport prune) {
        return settingsPage(repository, problem, prune, retentionForm(repository));
    }

    /**
     * The retention form for those who administer the repository's namespace (others, team admins
     * among them, use the REST API).
     */
    private RetentionForm retentionForm(RepositorySummary repository) {
        if (!administers(repository)) {
            return null;
        }
        return RetentionForm.read(settingsUrl(repository), () -> frontDoor.retention(repository.name(), null));
    }

    private TemplateInstance settingsPage(
            RepositorySummary repository, Problem problem, FrontDoor.PruneReport prune, RetentionForm retention) {
        return Templates.settings(repository, problem, storage(repository.name()), prune, retention);
    }

    private static String settingsUrl(RepositorySummary repository) {
        return "/r/" + repository.name() + "/settings";
    }

    /** The repository's own retention rules, or null when it has none or the visitor does not administer it. */
    private FrontDoor.StoredRetention storedRetention(String name) {
        try {
            return frontDoor.retention(name, null);
        } catch (WebApplicationException | ProcessingException e) {
            return null;
        }
    }

    /** The repository's storage figures, or null when the visitor may not see them or they cannot be had now. */
    private FrontDoor.StorageReport storage(String name) {
        try {
            return frontDoor.storage(name, null, false);
        } catch (WebApplicationException | ProcessingException e) {
            return null;
        }
    }

    private RepositorySummary summary(String name) {
        return frontDoor.repository(full(name));
    }

    private static String full(String name) {
        String full = name.contains("/") ? name : "library/" + name;
        if (!NAME.matcher(full).matches()) {
            throw new NotFoundException("not a repository name: " + name);
        }
        return full;
    }

    /** Whether to offer the settings: the platform decides for real when they are saved. */
    private boolean administers(RepositorySummary repository) {
        FrontDoor.Me me = visitor.me(frontDoor::me);
        return me != null && me.administersNamespace(repository.namespace());
    }

    private boolean writes(RepositorySummary repository) {
        FrontDoor.Me me = visitor.me(frontDoor::me);
        return me != null
                && (me.username().equals(repository.namespace())
                        || me.admin()
                        || me.organizations().stream()
                                .anyMatch(m -> m.organization().equals(repository.namespace())
                                        && (m.role().equals("write") || m.role().equals("admin"))));
    }

    private static Response ok(TemplateInstance page) {
        return Response.ok(page).build();
    }

    private static Response notFound(String name) {
        return Response.status(404)
                .type(MediaType.TEXT_HTML)
                .entity(Templates.notFound(name))
                .build();
    }
}
