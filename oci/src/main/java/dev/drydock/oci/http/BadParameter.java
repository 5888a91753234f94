package dev.drydock.oci.http;

/** A parameter or field a client sent that cannot be taken: every service answers it with 400. */
public class BadParameter extends RuntimeException {

    public BadParameter(String message) {
        super(message);
    }
}
