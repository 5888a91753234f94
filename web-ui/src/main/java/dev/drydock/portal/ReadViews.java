package dev.drydock.portal;

import dev.drydock.oci.MediaTypes;
import dev.drydock.readapi.RepositorySummary;
import dev.drydock.readapi.TagView;
import io.quarkus.qute.TemplateExtension;

/** How pages show the read API's records ({@code tag.shortDigest}, {@code repo.displayName} in templates). */
@TemplateExtension
public final class ReadViews {

    private static final String OFFICIAL = "library/";

    private ReadViews() {}

    /** The digest's first 19 characters: {@code sha256:} and 12 hex digits. */
    static String shortDigest(TagView tag) {
        return tag.digest().length() > 19 ? tag.digest().substring(0, 19) : tag.digest();
    }

    static boolean index(TagView tag) {
        return MediaTypes.isIndex(tag.mediaType());
    }

    static boolean official(RepositorySummary repository) {
        return repository.name().startsWith(OFFICIAL);
    }

    /** The name as users type it: official images without {@code library/}. */
    public static String displayName(RepositorySummary repository) {
        return official(repository) ? repository.name().substring(OFFICIAL.length()) : repository.name();
    }

    /** How many tags share a digest: pages mark digests that several tags point at. */
    static long tagsSharing(RepositorySummary repository, String digest) {
        return repository.tags().stream().filter(t -> t.digest().equals(digest)).count();
    }
}
