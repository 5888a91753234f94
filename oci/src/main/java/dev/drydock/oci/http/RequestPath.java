package dev.drydock.oci.http;

import java.util.Optional;

/**
 * The one spelling of a request path that Drydock's services route and authorise on. A path in
 * any other spelling — a percent-encoded character, a {@code ;} parameter, an empty, {@code .} or
 * {@code ..} segment, a backslash, a control or non-ASCII character — is refused before routing,
 * as Go's {@code net/http} and nginx refuse or rewrite them: the router normalises such paths, so
 * a check on the raw text would otherwise see another path than the handler that runs. No
 * Drydock route needs any of them (repository names, tags, digests, user and organisation names
 * and upload ids are all plain ASCII). The one exception is {@code %3A}: some clients write a
 * digest's colon so, and a colon means nothing to routing, so no router reads it otherwise.
 */
public final class RequestPath {

    private RequestPath() {}

    /**
     * The path of a request target exactly as the client wrote it: up to the query, and without
     * the scheme and authority of an absolute-form target. (A server's own "path" accessor may
     * already have tidied it, which is the very thing to check.)
     */
    public static String of(String requestTarget) {
        if (requestTarget == null) {
            return null;
        }
        String target = requestTarget;
        // the authority of an absolute-form target ends where Vert.x takes it to end, at the first
        // '/' after "://" — even past a '?' ("http://h?/q/metrics" is routed as /q/metrics), so
        // that the path checked here is the path the router will resolve
        if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
            int slash = target.indexOf('/', target.indexOf("://") + 3);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int query = target.indexOf('?');
        if (query >= 0) {
            target = target.substring(0, query);
        }
        // a '#' stays: no client sends a fragment, and a router that keeps it resolves what follows it
        return target;
    }

    /** Why {@code rawPath} (the path as it came, without the query) is not canonical; empty if it is. */
    public static Optional<String> problem(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return Optional.of("the path must start with /");
        }
        if (rawPath.length() > 2048) {
            return Optional.of("the path is longer than 2048 characters");
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%' && rawPath.regionMatches(true, i + 1, "3a", 0, 2)) {
                i += 2;
                continue;
            }
            boolean allowed = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '/'
                    || c == '.'
                    || c == '-'
                    || c == '_'
                    || c == '~'
                    || c == ':'
                    || c == '@'
                    || c == '+'
                    || c == '='; // the digest grammar allows '=' (base64 encodings)
            if (!allowed) {
                return Optional.of(
                        c == '%'
                                ? "percent-encoded characters are not accepted in paths"
                                : c == ';'
                                        ? "path parameters (;) are not accepted"
                                        : "the character "
                                                + (c < 0x20 || c > 0x7e
                                                        ? String.format("U+%04X", (int) c)
                                                        : "'" + c + "'")
                                                + " is not accepted in paths");
            }
        }
        for (String segment : rawPath.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("dot segments are not accepted in paths");
            }
        }
        if (rawPath.contains("//")) {
            return Optional.of("empty path segments are not accepted");
        }
        return Optional.empty();
    }
}
