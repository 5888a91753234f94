package dev.drydock.portal.session;

import dev.drydock.portal.Problem;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.SQLException;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** {@code /login}, {@code /signup}, {@code /logout}: accounts of the platform, signed in through the front door. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class AccountPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(String username, String next, Problem problem);

        static native TemplateInstance signup(String username, Problem problem);
    }

    private final Visitor visitor;
    private final Sessions sessions;
    private final SignInClient signIn;

    AccountPages(Visitor visitor, Sessions sessions, @RestClient SignInClient signIn) {
        this.visitor = visitor;
        this.sessions = sessions;
        this.signIn = signIn;
    }

    @GET
    @Path("login")
    public TemplateInstance loginForm(@QueryParam("next") String next) {
        return Templates.login("", local(next), null);
    }

    @POST
    @Path("login")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(
            @FormParam("csrf") String csrf,
            @FormParam("username") String username,
            @FormParam("password") String password,
            @FormParam("next") String next)
            throws SQLException {
        visitor.checkCsrf(csrf);
        if (blank(username) || blank(password)) {
            return form(
                    400,
                    Templates.login(
                            username == null ? "" : username,
                            local(next),
                            new Problem(
                                    400,
                                    "Enter your username and password.",
                                    blank(username) ? "username" : "password")));
        }
        try {
            visitor.signedIn(sessions.open(username.strip(), password));
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            String message = problem.status() == 429 ? problem.detail() : "The username or password is wrong.";
            return form(
                    problem.status() == 429 ? 429 : 401,
                    Templates.login(username, local(next), new Problem(problem.status(), message, "password")));
        }
        return Response.seeOther(URI.create(local(next))).build();
    }

    @GET
    @Path("signup")
    public TemplateInstance signupForm() {
        return Templates.signup("", null);
    }

    @POST
    @Path("signup")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signup(
            @FormParam("csrf") String csrf,
            @FormParam("username") String username,
            @FormParam("password") String password)
            throws SQLException {
        visitor.checkCsrf(csrf);
        if (blank(username) || blank(password)) {
            return form(
                    400,
                    Templates.signup(
                            username == null ? "" : username,
                            new Problem(
                                    400,
                                    "Choose a username and a password.",
                                    blank(username) ? "username" : "password")));
        }
        try {
            signIn.signUp(Map.of("username", username.strip(), "password", password));
        } catch (WebApplicationException e) {
            Problem problem = Problem.of(e);
            return form(
                    problem.status() == 409 ? 409 : 400,
                    Templates.signup(
                            username,
                            problem.field() == null
                                    ? new Problem(problem.status(), problem.detail(), "username")
                                    : problem));
        }
        visitor.signedIn(sessions.open(username.strip(), password));
        return Response.seeOther(URI.create("/u/" + username.strip())).build();
    }

    @POST
    @Path("logout")
    public Response logout(@FormParam("csrf") String csrf) {
        visitor.checkCsrf(csrf);
        if (visitor.session() != null) {
            sessions.close(visitor.session());
        }
        visitor.signedOut();
        return Response.seeOther(URI.create("/")).build();
    }

    /** Where a page that needs a signed-in visitor sends one who is not: the sign-in form, then back. */
    public static Response signInFirst(String next) {
        return Response.seeOther(URI.create("/login?next=" + local(next))).build();
    }

    private static Response form(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML).entity(page).build();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** Only a path of this site: no open redirects. */
    static String local(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
            return "/";
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "/"; // a tab, line break or space would split the Location header or break the URI
            }
        }
        try {
            URI uri = new URI(next);
            return uri.getScheme() == null && uri.getRawAuthority() == null ? next : "/";
        } catch (URISyntaxException e) {
            return "/";
        }
    }
}
