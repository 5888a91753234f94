package dev.drydock.oci.http;

import java.util.List;

/**
 * Who may read a service's Prometheus metrics ({@code /q/metrics}): callers on this machine, and
 * the networks an operator names ({@code DRYDOCK_METRICS_ALLOWED_FROM}, CIDR blocks, e.g. the
 * cluster's pod network for its Prometheus). Decided on the connection's own peer, never on a
 * forwarded address: the figures (routes, load, free disk) are for operators, not the internet.
 */
public final class MetricsReaders {

    private static final String PATH = "/q/metrics";

    private final ClientAddress allowed;

    public MetricsReaders(List<String> networks) {
        this.allowed = new ClientAddress(networks);
    }

    /**
     * Whether the request is for the metrics endpoint and {@code peer} may not read it. Every
     * reading of its path is given (as the client spelled it, as the router normalised it): if any
     * is the metrics endpoint, it is, and so it is when repeated slashes ({@code /q//metrics}),
     * which some routers take as one, make it so.
     */
    public boolean refuses(String peer, String... paths) {
        for (String path : paths) {
            if (path != null
                    && (path.startsWith(PATH)
                            || path.contains("//")
                                    && path.replaceAll("/{2,}", "/").startsWith(PATH))) {
                // the peer is parsed only for the metrics endpoint, not on every request of the front door
                return peer == null || !allowed.isTrusted(peer);
            }
        }
        return false;
    }
}
