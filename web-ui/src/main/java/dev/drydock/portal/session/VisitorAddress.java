package dev.drydock.portal.session;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Tells the front door whose request the portal makes: the visitor's address in
 * {@code X-Forwarded-For} (the front door trusts it from the portal's host only), so that login
 * throttling and the audit log see the visitor, not the portal.
 */
@ApplicationScoped
public class VisitorAddress implements ClientHeadersFactory {

    @Inject
    Visitor visitor;

    @Override
    public MultivaluedMap<String, String> update(
            MultivaluedMap<String, String> incoming, MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        if (visitor.address() != null) {
            headers.putSingle("X-Forwarded-For", visitor.address());
        }
        if (visitor.userAgent() != null) {
            headers.putSingle("User-Agent", visitor.userAgent());
        }
        return headers;
    }
}
