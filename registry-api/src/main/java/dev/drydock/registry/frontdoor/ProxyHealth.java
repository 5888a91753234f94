package dev.drydock.registry.frontdoor;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * How many forwarded requests are under way, against the pools' capacity. It stays UP: a full pool
 * refuses new forwards with 503 within seconds instead of hanging, and a vanished caller frees its
 * slot, so nothing here needs a restart; the figures show an operator the load.
 */
@Readiness
public class ProxyHealth implements HealthCheck {

    private final ForwardingProxy proxy;

    ProxyHealth(ForwardingProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("front-door-proxy").up()
                .withData("inFlight", proxy.inFlight())
                .withData("poolSizePerEventLoop", ForwardingProxy.POOL_SIZE).build();
    }
}
