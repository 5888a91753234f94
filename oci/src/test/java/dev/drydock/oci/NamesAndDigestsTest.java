package dev.drydock.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
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

    /** The grammar exactly as the distribution spec writes it. */
    private static final Pattern SPEC_GRAMMAR =
            Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");

    @Test
    void theOnePassReaderAgreesWithTheSpecsGrammar() {
        String alphabet = "a0._-/A%";
        // every string of up to 6 characters over letters, digits, the separators and two outsiders
        for (int length = 0; length <= 6; length++) {
            int[] at = new int[length];
            while (true) {
                StringBuilder name = new StringBuilder();
                for (int i : at) {
                    name.append(alphabet.charAt(i));
                }
                assertAgrees(name.toString());
                int i = length - 1;
                while (i >= 0 && at[i] == alphabet.length() - 1) {
                    at[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
                at[i]++;
            }
        }
        // and longer ones, mostly near the grammar
        Random random = new Random(7);
        String near = "abz09.._-//";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder name = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                name.append(near.charAt(random.nextInt(near.length())));
            }
            assertAgrees(name.toString());
        }
    }

    private static void assertAgrees(String name) {
        assertEquals(SPEC_GRAMMAR.matcher(name).matches(), RepositoryName.grammatical(name), name);
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
