package dev.drydock.registry.frontdoor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * How many forwarded requests are under way, against the pools' capacity. It stays UP: a full pool
 * refuses new forwards with 503 within seconds instead of hanging, and a vanished caller frees its
 * slot, so nothing here needs a restart; the figures show an operator the load (and are metrics too).
 */
@Readiness
public class ProxyHealth implements HealthCheck {

    private final ForwardingProxy proxy;

    ProxyHealth(ForwardingProxy proxy, MeterRegistry meters) {
        this.proxy = proxy;
        Gauge.builder("drydock.proxy.in_flight", proxy, ForwardingProxy::inFlight)
                .description("requests the front door is forwarding to layer-store and audit-service now")
                .register(meters);
        Gauge.builder("drydock.proxy.pool_size", () -> ForwardingProxy.POOL_SIZE)
                .description("connections per event loop the front door keeps to each service")
                .register(meters);
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("front-door-proxy")
                .up()
                .withData("inFlight", proxy.inFlight())
                .withData("poolSizePerEventLoop", ForwardingProxy.POOL_SIZE)
                .build();
    }
}
