package dev.drydock.oci.token;

import dev.drydock.oci.OciException;
import dev.drydock.oci.RepositoryName;
import java.util.regex.Pattern;

/**
 * The {@code WWW-Authenticate} header of Docker token auth that comes with a 401: where to fetch a
 * registry token, and the scope to ask for, so that the client fetches one and retries.
 */
public final class Challenge {

    private Challenge() {}

    private static final Pattern HOST = Pattern.compile(
            "([A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*|\\[[0-9A-Fa-f:.]{2,45}])(:[0-9]{1,5})?");

    /**
     * {@code <scheme>://<host>} as the client addressed the service: the first value of each of
     * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} when a trusted proxy in front set
     * them (an ingress terminating TLS, or the front door forwarding to layer-store), else the
     * request's own. Each part must be a plain scheme and host name (or IP literal) with an
     * optional port: anything else would be written into the {@code WWW-Authenticate} header.
     */
    public static String origin(
            boolean fromTrustedProxy, String forwardedProto, String forwardedHost, String scheme, String host) {
        String s = scheme;
        String h = host;
        if (fromTrustedProxy && forwardedProto != null && !forwardedProto.isBlank()) {
            s = forwardedProto.split(",")[0].trim();
        }
        if (fromTrustedProxy && forwardedHost != null && !forwardedHost.isBlank()) {
            h = forwardedHost.split(",")[0].trim();
        }
        if (!s.equals("http") && !s.equals("https")) {
            s = scheme.equals("https") ? "https" : "http";
        }
        if (h == null || !HOST.matcher(h).matches()) {
            h = host != null && HOST.matcher(host).matches() ? host : "localhost";
        }
        return s + "://" + h;
    }

    /**
     * {@code Bearer realm="…",service="…"}, then {@code scope="repository:<name>:<actions>"} when a
     * repository is named (pushing asks for pull and push together, as clients do) and
     * {@code error="…"} when a token was sent ({@code invalid_token}, {@code insufficient_scope}).
     * A cross-repository mount also asks for pull on its source ({@code mountSource}, else null), in the
     * same space-separated scope, so that a client which asks for what the challenge names gets a
     * token with which the mount can succeed.
     */
    public static String bearer(
            String realm, String service, String repository, Action action, String mountSource, String error) {
        StringBuilder header = new StringBuilder("Bearer realm=\"")
                .append(realm)
                .append("\",service=\"")
                .append(service)
                .append('"');
        if (repository != null) {
            String actions = action == Action.PULL ? "pull" : action == Action.DELETE ? "delete" : "pull,push";
            header.append(",scope=\"repository:").append(repository).append(':').append(actions);
            if (mountSource != null && !mountSource.equals(repository)) {
                header.append(" repository:").append(mountSource).append(":pull");
            }
            header.append('"');
        }
        if (error != null) {
            header.append(",error=\"").append(error).append('"');
        }
        return header.toString();
    }

    /** The repository a {@code POST …/blobs/uploads/?mount=…&from=…} mounts from, or null for any other request. */
    public static String mountSource(String method, String mount, String from) {
        if (!"POST".equals(method) || mount == null || from == null) {
            return null;
        }
        try {
            return RepositoryName.parse(from).value();
        } catch (OciException e) {
            return null; // an invalid source is refused or ignored by the upload itself; nothing to ask a token for
        }
    }
}
