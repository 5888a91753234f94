package dev.drydock.oci.http;

/**
 * Headers the services set for each other about who is acting. A service removes them from every
 * request that comes from outside before it sets its own, so a client can never name itself.
 */
public final class InternalHeaders {

    /** The user name a request acts as. */
    public static final String USER = "X-Drydock-User";
    /** The personal access token (its id) a request acts with, if any. */
    public static final String TOKEN = "X-Drydock-Token";

    private InternalHeaders() {}
}
