package dev.drydock.layerstore;

import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.TestSigner;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;

/**
 * Registry tokens for this service's tests, checked as in production: signed by {@link TestSigner},
 * whose JWKS the test profile's {@code jwks-url} names.
 */
public final class TestTokens {

    /** Every repository the tests push to and read from. */
    private static final List<String> REPOSITORIES = List.of(
            "acme/abandoned",
            "acme/bad",
            "acme/chunks",
            "acme/cutoff",
            "acme/drop",
            "acme/keep",
            "acme/large",
            "acme/links",
            "acme/many",
            "acme/other",
            "acme/sha512",
            "acme/source",
            "acme/streamed",
            "acme/x");

    private static final String TOKEN = TestSigner.sign(
            "tester",
            RegistryToken.Purpose.REGISTRY,
            REPOSITORIES.stream()
                    .map(name -> TestSigner.grant("repository", name, "pull", "push", "delete"))
                    .toList(),
            Duration.ofHours(2));

    private TestTokens() {}

    /** A request carrying a token that may pull, push and delete in every repository the tests use. */
    public static RequestSpecification given() {
        return RestAssured.given().header("Authorization", authorization());
    }

    /** The {@code Authorization} header's value for such a token. */
    public static String authorization() {
        return "Bearer " + TOKEN;
    }
}
