package dev.drydock.portal.session;

import dev.drydock.oci.http.Bearer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/** The visitor's address and, when they are signed in, their session's access token. */
@ApplicationScoped
public class VisitorCredentials implements ClientHeadersFactory {

    @Inject
    Visitor visitor;

    @Inject
    VisitorAddress address;

    @Override
    public MultivaluedMap<String, String> update(
            MultivaluedMap<String, String> incoming, MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> headers = address.update(incoming, outgoing);
        visitor.accessToken().ifPresent(token -> headers.putSingle("Authorization", Bearer.header(token)));
        return headers;
    }
}
