package dev.drydock.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesAndDigestsTest {

    @Test
    void aSingleComponentNameIsAnOfficialImage() {
        assertEquals("library/alpine", RepositoryName.parse("alpine").value());
        assertEquals("acme/hello", RepositoryName.parse("acme/hello").value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Acme/hello", "acme//hello", "../etc", "acme/hello/", "-acme", "acme/hel%2Flo", ""})
    void namesOutsideTheGrammarAreNameInvalid(String name) {
        OciException e = assertThrows(OciException.class, () -> RepositoryName.parse(name));
        assertEquals(ErrorCode.NAME_INVALID, e.code());
        assertEquals(400, e.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:abc", "md5:" + "a", "sha256:" + "A", "nodigest", "sha256:../../etc/passwd"})
    void malformedDigestsAreDigestInvalid(String digest) {
        OciException e = assertThrows(OciException.class, () -> Digest.parse(digest));
        assertEquals(ErrorCode.DIGEST_INVALID, e.code());
    }

    @Test
    void aDigestOfBytesIsItsSha256() {
        assertEquals(
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Digest.sha256Of(new byte[0]).toString());
    }

    @Test
    void theErrorBodyIsTheSpecDocument() {
        String body = new OciException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", "v9").body();
        assertTrue(body.startsWith("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\""), body);
    }
}
