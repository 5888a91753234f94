package dev.drydock.layerstore.upload;

import static dev.drydock.layerstore.TestTokens.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.drydock.oci.Digest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BlobUploadTest {

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }

    @Test
    void requestsWithoutAValidTokenForTheRepositoryAreRefused() {
        RestAssured.given()
                .post("/v2/acme/chunks/blobs/uploads/")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer "));
        RestAssured.given()
                .header("Authorization", "Bearer not-a-token")
                .post("/v2/acme/chunks/blobs/uploads/")
                .then()
                .statusCode(401);
        // the tests' token names its repositories; another one is not among them
        given().post("/v2/elsewhere/app/blobs/uploads/")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("insufficient_scope"));
    }

    @Test
    void chunkedUploadIsStoredUnderItsDigestAndReadableWithRanges() {
        byte[] blob = randomBytes(300_000);
        Digest digest = Digest.sha256Of(blob);
        String location = given().post("/v2/acme/chunks/blobs/uploads/")
                .then()
                .statusCode(202)
                .header("Range", "0-0")
                .header("Docker-Upload-UUID", org.hamcrest.Matchers.notNullValue())
                .extract()
                .header("Location");

        Response first = given().header("Content-Range", "0-99999")
                .contentType("application/octet-stream")
                .body(Arrays.copyOfRange(blob, 0, 100_000))
                .patch(location);
        first.then().statusCode(202).header("Range", "0-99999");

        given().header("Content-Range", "5-10")
                .contentType("application/octet-stream")
                .body(new byte[6])
                .patch(location)
                .then()
                .statusCode(416)
                .header("Range", "0-99999");

        given().get(location).then().statusCode(204).header("Range", "0-99999");

        given().contentType("application/octet-stream")
                .body(Arrays.copyOfRange(blob, 100_000, blob.length))
                .queryParam("digest", digest.toString())
                .put(location)
                .then()
                .statusCode(201)
                .header("Docker-Content-Digest", digest.toString());

        byte[] read = given().get("/v2/acme/chunks/blobs/" + digest)
                .then()
                .log()
                .ifValidationFails()
                .statusCode(200)
                .header("Content-Length", String.valueOf(blob.length))
                .extract()
                .asByteArray();
        assertArrayEquals(blob, read);

        byte[] part = given().header("Range", "bytes=10-19")
                .get("/v2/acme/chunks/blobs/" + digest)
                .then()
                .statusCode(206)
                .header("Content-Range", "bytes 10-19/300000")
                .extract()
                .asByteArray();
        assertArrayEquals(Arrays.copyOfRange(blob, 10, 20), part);
    }

    @Test
    void aBlobUploadedWithASha512DigestIsStoredAndServedUnderIt() throws Exception {
        byte[] blob = randomBytes(70_000);
        String sha512 = "sha512:"
                + java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-512")
                                .digest(blob));
        given().contentType("application/octet-stream")
                .body(blob)
                .queryParam("digest", sha512)
                .post("/v2/acme/sha512/blobs/uploads/")
                .then()
                .statusCode(201)
                .header("Docker-Content-Digest", sha512);
        assertArrayEquals(
                blob,
                given().get("/v2/acme/sha512/blobs/" + sha512)
                        .then()
                        .statusCode(200)
                        .header("Docker-Content-Digest", sha512)
                        .extract()
                        .asByteArray());
        String wrong = "sha512:" + "b".repeat(128);
        given().contentType("application/octet-stream")
                .body(blob)
                .queryParam("digest", wrong)
                .post("/v2/acme/sha512/blobs/uploads/")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
        given().head("/v2/acme/sha512/blobs/" + wrong).then().statusCode(404);
    }

    @Test
    void aBlobIsReadableOnlyThroughARepositoryThatLinksItUntilMounted() {
        byte[] blob = randomBytes(1000);
        Digest digest = Digest.sha256Of(blob);
        given().contentType("application/octet-stream")
                .body(blob)
                .queryParam("digest", digest.toString())
                .post("/v2/acme/source/blobs/uploads/")
                .then()
                .statusCode(201);

        given().head("/v2/acme/other/blobs/" + digest).then().statusCode(404);
        given().get("/v2/acme/other/blobs/" + digest)
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));

        given().queryParam("mount", digest.toString())
                .queryParam("from", "acme/source")
                .post("/v2/acme/other/blobs/uploads/")
                .then()
                .statusCode(201)
                .header("Location", "/v2/acme/other/blobs/" + digest);
        given().head("/v2/acme/other/blobs/" + digest)
                .then()
                .statusCode(200)
                .header("Content-Length", "1000")
                .header("Docker-Content-Digest", digest.toString());
    }

    @Test
    void deletingABlobUnlinksItFromThatRepositoryOnly() {
        byte[] blob = randomBytes(500);
        Digest digest = Digest.sha256Of(blob);
        given().contentType("application/octet-stream")
                .body(blob)
                .queryParam("digest", digest.toString())
                .post("/v2/acme/keep/blobs/uploads/")
                .then()
                .statusCode(201);
        given().queryParam("mount", digest.toString())
                .queryParam("from", "acme/keep")
                .post("/v2/acme/drop/blobs/uploads/")
                .then()
                .statusCode(201);

        given().delete("/v2/acme/drop/blobs/" + digest).then().statusCode(202);
        given().head("/v2/acme/drop/blobs/" + digest).then().statusCode(404);
        given().delete("/v2/acme/drop/blobs/" + digest)
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));
        given().head("/v2/acme/keep/blobs/" + digest).then().statusCode(200);
    }

    @Test
    void bytesThatDoNotMatchTheDigestAreRefusedAndNothingIsStored() {
        byte[] blob = randomBytes(2000);
        Digest claimed = Digest.sha256Of(randomBytes(10));
        given().contentType("application/octet-stream")
                .body(blob)
                .queryParam("digest", claimed.toString())
                .post("/v2/acme/bad/blobs/uploads/")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
        given().head("/v2/acme/bad/blobs/" + claimed).then().statusCode(404);
        given().head("/v2/acme/bad/blobs/" + Digest.sha256Of(blob)).then().statusCode(404);
    }

    @Test
    void anAbandonedUploadExpiresWithItsPartialFile() {
        String location = given().post("/v2/acme/abandoned/blobs/uploads/")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        given().contentType("application/octet-stream")
                .body(randomBytes(10_000))
                .patch(location)
                .then()
                .statusCode(202);
        java.nio.file.Path partial = java.nio.file.Path.of(
                "target", "test-storage", "uploads", location.substring(location.lastIndexOf('/') + 1));
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.exists(partial), partial.toString());

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> given().get(location)
                        .then()
                        .statusCode(404)
                        .body("errors[0].code", equalTo("BLOB_UPLOAD_UNKNOWN")));
        org.junit.jupiter.api.Assertions.assertFalse(
                java.nio.file.Files.exists(partial), "the partial file is removed");
    }

    @Test
    void theFileOfASingleRequestUploadCutOffByAStopIsRemoved() throws Exception {
        // a POST with ?digest= records no session; its file is what a stop in the middle leaves
        java.nio.file.Path left = java.nio.file.Path.of(
                "target", "test-storage", "uploads", java.util.UUID.randomUUID().toString());
        java.nio.file.Files.write(left, randomBytes(5_000));
        java.nio.file.Files.setLastModifiedTime(
                left,
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> org.junit.jupiter.api.Assertions.assertFalse(
                        java.nio.file.Files.exists(left), "the abandoned file is removed"));
    }

    @Test
    void malformedNamesDigestsAndUploadIdsAreClientErrors() {
        given().post("/v2/Acme/x/blobs/uploads/")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("NAME_INVALID"));
        given().get("/v2/acme/x/blobs/sha256:nothex")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
        given().get("/v2/acme/x/blobs/uploads/not-a-uuid")
                .then()
                .statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UPLOAD_UNKNOWN"));
        given().queryParam("digest", "sha256:zz")
                .body(new byte[1])
                .contentType("application/octet-stream")
                .post("/v2/acme/x/blobs/uploads/")
                .then()
                .statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
    }
}
