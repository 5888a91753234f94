package dev.drydock.readapi;

/** How many other images, in how many other repositories, use a blob too (it is stored once). */
public record Sharing(long otherImages, long otherRepositories) {}
