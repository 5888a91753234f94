package dev.drydock.registry.identity;

/** A user account; platform admins may do everything, including pushing official images. */
public record Account(long id, String username, boolean admin) {}
