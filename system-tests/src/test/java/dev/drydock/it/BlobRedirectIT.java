package dev.drydock.it;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.RestAssured;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob reads answered with a 307 to a short-lived signed layer-store URL, as real clients follow them. */
class BlobRedirectIT {

    private static Platform platform;
    private static Path image;
    private static String redirecting;

    @TempDir
    static Path work;

    @BeforeAll
    static void pushThroughTheRedirectingFrontDoor() {
        platform = Platform.get();
        redirecting = "127.0.0.1:" + platform.redirectingRegistryPort;
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("image"));
        image = writer.tag("v1", writer.image("amd64", 2, 100_000)).path();
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + image + ":v1",
                "docker://" + redirecting + "/acme/redirected:v1");
    }

    @Test
    void skopeoPullsThroughRedirectsAndGetsIdenticalBlobs() throws Exception {
        Path pulled = work.resolve("pulled");
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "docker://" + redirecting + "/acme/redirected:v1",
                "oci:" + pulled + ":v1");
        OciImages.assertSameImage(image, pulled, "v1");
    }

    @Test
    void aBlobGetIsA307ToLayerStoreWhoseTokenOpensOnlyThatRepository() {
        List<String> blobs = OciImages.blobDigests(image, OciImages.manifestDigest(image, "v1"));
        String layer = blobs.get(1);
        String location = RestAssured.given()
                .baseUri("http://" + redirecting)
                .redirects()
                .follow(false)
                .header("Authorization", platform.adminBearer("acme/redirected"))
                .get("/v2/acme/redirected/blobs/" + layer)
                .then()
                .statusCode(307)
                .header(
                        "Location",
                        startsWith("http://127.0.0.1:" + platform.layerStorePort + "/v2/acme/redirected/blobs/"))
                .extract()
                .header("Location");

        RestAssured.given()
                .urlEncodingEnabled(false)
                .redirects()
                .follow(false)
                .get(location)
                .then()
                .statusCode(200)
                .header("Docker-Content-Digest", layer);
        // the signed URL's token is for this repository only
        String elsewhere = location.replace("/acme/redirected/", "/acme/other/");
        RestAssured.given()
                .urlEncodingEnabled(false)
                .redirects()
                .follow(false)
                .get(elsewhere)
                .then()
                .statusCode(401);
        // the caller's next redirect in this repository reuses the token, so neither service signs
        // nor verifies a signature again
        String again = RestAssured.given()
                .baseUri("http://" + redirecting)
                .redirects()
                .follow(false)
                .header("Authorization", platform.adminBearer("acme/redirected"))
                .get("/v2/acme/redirected/blobs/" + blobs.get(0))
                .then()
                .statusCode(307)
                .extract()
                .header("Location");
        assertEquals(location.substring(location.indexOf("?token=")), again.substring(again.indexOf("?token=")));
        // a blob the repository does not link is not redirected anywhere
        RestAssured.given()
                .baseUri("http://" + redirecting)
                .redirects()
                .follow(false)
                .header("Authorization", platform.adminBearer("acme/redirected"))
                .get("/v2/acme/redirected/blobs/sha256:" + "0".repeat(64))
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));
    }
}
