package dev.drydock.oci.http;

/**
 * How the portal introduces itself when it reads manifests and configs to show an image's page. A
 * page view is not a download: it is in the audit log but not in pull counts. (A client that says
 * it is the portal only lowers its own repository's counts.)
 */
public final class PageViews {

    /** The portal's {@code User-Agent} on the reads behind a page. */
    public static final String USER_AGENT = "drydock-portal/1 (page view, not a pull)";

    private static final String PREFIX = "drydock-portal/";

    private PageViews() {}

    /** Whether a read with this {@code User-Agent} was the portal showing a page. */
    public static boolean isPageView(String userAgent) {
        return userAgent != null && userAgent.startsWith(PREFIX);
    }
}
