package dev.drydock.events;

/**
 * Who caused an event. Travels with every event; no field ever holds a secret.
 *
 * @param user          the account name, or {@code null} for an anonymous caller
 * @param tokenId       the personal access token used, or {@code null} for a password or no login
 * @param clientAddress the caller's network address as the front door saw it
 * @param userAgent     the caller's User-Agent header
 */
public record Actor(String user, String tokenId, String clientAddress, String userAgent) {

    public static final Actor SYSTEM = new Actor("system", null, null, null);

    public static Actor anonymous(String clientAddress, String userAgent) {
        return new Actor(null, null, clientAddress, userAgent);
    }
}
