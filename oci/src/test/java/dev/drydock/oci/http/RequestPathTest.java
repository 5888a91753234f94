package dev.drydock.oci.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.oci.token.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v2/acme/app/%6danifests/v1",
                "/v2/acme/app/manifests;x=1/v1",
                "/v2/acme/app/tags;a/list",
                "//v2/acme/app/manifests/v1",
                "/%76%32/acme/app/manifests/v1",
                "/v2/acme/./app/manifests/v1",
                "/v2/acme/x/../app/manifests/v1",
                "/v2/acme%2Fapp/manifests/v1",
                "/v2/acme/app/manifests/v1%00",
                "/api/v1/repositories/%00",
                "/v2/acme\\app/manifests/v1",
                "/v2/acme/app/manifests/v\u00e9",
                "v2/acme",
                "/v2/acme/app/manifests/.."
            })
    void anyOtherSpellingOfAPathIsRefused(String path) {
        assertTrue(RequestPath.problem(path).isPresent(), path);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/x#/../api/v1/users/me",
                "/v2/mallory/x/manifests/v1#/../../../../victim/vault/manifests/v1",
                "http://127.0.0.1:5000/v2/a//b/manifests/v1"
            })
    void theRawTargetIsCheckedWholeFragmentsAndAbsoluteFormIncluded(String target) {
        assertTrue(RequestPath.problem(RequestPath.of(target)).isPresent(), target);
    }

    @Test
    void anAbsoluteFormTargetsPathIsWhereTheRouterFindsIt() {
        // Vert.x routes "http://h?/q/metrics" as /q/metrics: the authority ends at the first '/'
        assertEquals("/q/metrics", RequestPath.of("http://h?/q/metrics"));
        assertEquals("/q/metrics", RequestPath.of("HTTP://h:1/q/metrics?x=/y"));
        assertEquals("/", RequestPath.of("http://h"));
        assertEquals("/v2/a/b", RequestPath.of("/v2/a/b?http://h/q/metrics"));
    }

    @Test
    void metricsAreRefusedToOtherMachinesUnderAnyReadingOfThePath() {
        MetricsReaders readers = new MetricsReaders(java.util.List.of("10.1.0.0/16"));
        assertTrue(readers.refuses("192.0.2.7", "/", "/q/metrics"));
        assertTrue(readers.refuses("192.0.2.7", "/q/metrics/"));
        assertTrue(readers.refuses(null, "/q/metrics"));
        assertTrue(readers.refuses("192.0.2.7", "//q//metrics"));
        assertTrue(!readers.refuses("127.0.0.1", "/q/metrics"));
        assertTrue(!readers.refuses("10.1.2.3", "/q/metrics"));
        assertTrue(!readers.refuses("192.0.2.7", "/q/health/ready", "/v2/"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v2/",
                "/v2",
                "/v2/_catalog",
                "/v2/acme/app/manifests/v1.2_rc-1",
                "/v2/acme/app/blobs/sha256:0123abcd",
                "/v2/acme/app/blobs/sha256%3A0123abcd",
                "/v2/acme/app/blobs/uploads/",
                "/api/v1/users/me",
                "/token",
                "/.well-known/jwks.json",
                "/q/health/ready"
            })
    void canonicalPathsPass(String path) {
        assertTrue(RequestPath.problem(path).isEmpty(), path);
    }

    @Test
    void theRouteTableDecidesTheActionOfEveryBlobRouteIncludingCancellingAnUploadWhichIsPush() {
        assertEquals(
                Action.PUSH,
                Routes.match("DELETE", "/v2/acme/app/blobs/uploads/0b8e")
                        .orElseThrow()
                        .route()
                        .action());
        assertEquals(
                Action.DELETE,
                Routes.match("DELETE", "/v2/acme/app/blobs/sha256:ab")
                        .orElseThrow()
                        .route()
                        .action());
        assertEquals(
                "acme/app",
                Routes.match("PUT", "/v2/acme/app/manifests/v1")
                        .orElseThrow()
                        .repository()
                        .value());
        assertEquals(
                "library/hello",
                Routes.match("GET", "/v2/hello/tags/list")
                        .orElseThrow()
                        .repository()
                        .value());
        assertTrue(Routes.match("POST", "/v2/acme/app/manifests/v1").isEmpty(), "a method no route takes");
        assertTrue(Routes.match("GET", "/api/v1/nothing").isEmpty());
    }
}
