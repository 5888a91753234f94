package dev.drydock.portal.repository;

import dev.drydock.portal.FrontDoor;
import dev.drydock.portal.PortalConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.util.regex.Pattern;

/** {@code /r/<name>}: a repository's pull command, stars, pulls and tags. */
@Path("/r")
public class RepositoryPage {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance repository(FrontDoor.RepositorySummary repository, String registryHost);

        static native TemplateInstance notFound(String name);
    }

    private final FrontDoor frontDoor;
    private final PortalConfig config;

    RepositoryPage(@RestClient FrontDoor frontDoor, PortalConfig config) {
        this.frontDoor = frontDoor;
        this.config = config;
    }

    @GET
    @Path("{name: .+}")
    @Produces(MediaType.TEXT_HTML)
    public Response repository(@PathParam("name") String name) {
        String full = name.contains("/") ? name : "library/" + name;
        if (!NAME.matcher(full).matches()) {
            return notFound(name);
        }
        try {
            return Response.ok(Templates.repository(frontDoor.repository(full), config.registryHost())).build();
        } catch (NotFoundException e) {
            return notFound(name);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return notFound(name);
            }
            throw e;
        }
    }

    private static Response notFound(String name) {
        return Response.status(404).type(MediaType.TEXT_HTML).entity(Templates.notFound(name)).build();
    }
}
