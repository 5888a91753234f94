package dev.drydock.oci.token;

/**
 * The {@code WWW-Authenticate} header of Docker token auth that comes with a 401: where to fetch a
 * registry token, and the scope to ask for, so that the client fetches one and retries.
 */
public final class Challenge {

    private Challenge() {
    }

    /**
     * {@code <scheme>://<host>} as the client addressed the service: the first value of each of
     * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} when a proxy in front set them (an
     * ingress terminating TLS, or the front door forwarding to layer-store), else the request's own.
     * Only the client's own request is pointed anywhere by it, so it needs no trust in the proxy.
     */
    public static String origin(String forwardedProto, String forwardedHost, String scheme, String host) {
        String s = forwardedProto == null || forwardedProto.isBlank() ? scheme : forwardedProto.split(",")[0].trim();
        String h = forwardedHost == null || forwardedHost.isBlank() ? host : forwardedHost.split(",")[0].trim();
        return s + "://" + h;
    }

    /**
     * {@code Bearer realm="…",service="…"}, then {@code scope="repository:<name>:<actions>"} when a
     * repository is named (pushing asks for pull and push together, as clients do) and
     * {@code error="…"} when a token was sent ({@code invalid_token}, {@code insufficient_scope}).
     */
    public static String bearer(String realm, String service, String repository, Action action, String error) {
        StringBuilder header = new StringBuilder("Bearer realm=\"").append(realm).append("\",service=\"")
                .append(service).append('"');
        if (repository != null) {
            String actions = action == Action.PULL ? "pull" : action == Action.DELETE ? "delete" : "pull,push";
            header.append(",scope=\"repository:").append(repository).append(':').append(actions).append('"');
        }
        if (error != null) {
            header.append(",error=\"").append(error).append('"');
        }
        return header.toString();
    }
}
