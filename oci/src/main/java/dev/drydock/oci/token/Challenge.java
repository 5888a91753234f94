package dev.drydock.oci.token;

/**
 * The {@code WWW-Authenticate} header of Docker token auth that comes with a 401: where to fetch a
 * registry token, and the scope to ask for, so that the client fetches one and retries.
 */
public final class Challenge {

    private Challenge() {
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
