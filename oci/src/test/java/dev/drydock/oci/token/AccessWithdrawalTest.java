package dev.drydock.oci.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessWithdrawalTest {

    private static final Instant WITHDRAWN = Instant.parse("2026-12-07T12:00:00.400Z");

    private static RegistryToken token(String subject, Instant issuedAt, String... repositories) {
        List<RegistryToken.Access> access = java.util.Arrays.stream(repositories)
                .map(name -> new RegistryToken.Access("repository", name, List.of("pull")))
                .toList();
        return new RegistryToken(
                subject, null, access, issuedAt.plusSeconds(300), RegistryToken.Purpose.REGISTRY, null, issuedAt);
    }

    @Test
    void aTokenSignedBeforeOrAtTheMomentEndsOneSignedAfterDoesNot() {
        AccessWithdrawal everyone = new AccessWithdrawal("alice/app", null, WITHDRAWN);
        assertTrue(everyone.ends(token("", WITHDRAWN.minusMillis(300), "alice/app")));
        assertTrue(everyone.ends(token("bob", WITHDRAWN, "alice/app")));
        assertFalse(everyone.ends(token("bob", WITHDRAWN.plusMillis(1), "alice/app")));
    }

    @Test
    void onlyTheSubjectsTokensEndWhenItNamesOne() {
        AccessWithdrawal frank = new AccessWithdrawal("acme/", "frank", WITHDRAWN);
        Instant before = WITHDRAWN.minusSeconds(10);
        assertTrue(frank.ends(token("frank", before, "acme/vault")));
        assertTrue(frank.ends(token("frank", before, "acme/team/deep")));
        assertFalse(frank.ends(token("erin", before, "acme/vault")));
        assertFalse(frank.ends(token("", before, "acme/vault")));
    }

    @Test
    void aScopeIsARepositoryOrAWholeNamespaceAndNamesAreReadAsTheFrontDoorReadsThem() {
        Instant before = WITHDRAWN.minusSeconds(10);
        AccessWithdrawal repository = new AccessWithdrawal("alice/app", null, before.plusSeconds(5));
        assertFalse(repository.ends(token("", before, "alice/app2")));
        assertFalse(repository.ends(token("", before, "alice/ap")));
        assertFalse(repository.ends(token("", before, "other/app")));
        assertTrue(repository.ends(token("", before, "other/app", "alice/app")));
        AccessWithdrawal namespace = new AccessWithdrawal("acme/", null, before.plusSeconds(5));
        assertFalse(namespace.ends(token("", before, "acmeco/vault")));
        assertFalse(namespace.ends(token("", before, "acme")));
        AccessWithdrawal official = new AccessWithdrawal("library/hello", null, before.plusSeconds(5));
        assertTrue(official.ends(token("", before, "hello")));
        // access to something other than a repository is no repository's
        RegistryToken catalog = new RegistryToken(
                "",
                null,
                List.of(new RegistryToken.Access("registry", "alice/app", List.of("*"))),
                before.plusSeconds(300),
                RegistryToken.Purpose.REGISTRY,
                null,
                before);
        assertFalse(repository.ends(catalog));
    }

    @Test
    void aTokenThatSaysItsSigningTimeInWholeSecondsOnlyCountsAsSignedAtTheStartOfItsSecond() throws Exception {
        String jwt = TestSigner.sign(
                "bob",
                RegistryToken.Purpose.REGISTRY,
                List.of(TestSigner.grant("repository", "alice/app", "pull")),
                Duration.ofMinutes(5));
        JWKSet keys = JWKSet.load(Path.of("target", "test-jwks.json").toFile());
        RegistryToken token = RegistryToken.verify(
                        jwt, "drydock", kid -> Optional.ofNullable((ECKey) keys.getKeyByKeyId(kid)))
                .orElseThrow();
        assertEquals(0, token.issuedAt().getNano());
        // signed some time within that second, perhaps after a withdrawal within it: ended (fail closed)
        assertTrue(new AccessWithdrawal("alice/app", null, token.issuedAt().plusMillis(999)).ends(token));
        assertFalse(new AccessWithdrawal("alice/app", null, token.issuedAt().minusMillis(1)).ends(token));
    }

    @Test
    void theIndexFindsWhatTheListWouldAndOnlyThat() {
        Instant before = WITHDRAWN.minusSeconds(10);
        AccessWithdrawal.Index index = AccessWithdrawal.Index.EMPTY
                .with(List.of(new AccessWithdrawal("alice/app", null, WITHDRAWN)))
                .with(List.of(new AccessWithdrawal("acme/", "frank", WITHDRAWN)));
        assertTrue(index.ends(token("", before, "alice/app")));
        assertTrue(index.ends(token("frank", before, "x/y", "acme/vault")));
        assertFalse(index.ends(token("erin", before, "acme/vault")));
        assertFalse(index.ends(token("", WITHDRAWN.plusMillis(1), "alice/app")));
        assertFalse(index.ends(token("", before, "alice/other")));
        assertFalse(AccessWithdrawal.Index.EMPTY.ends(token("", before, "alice/app")));
    }
}
