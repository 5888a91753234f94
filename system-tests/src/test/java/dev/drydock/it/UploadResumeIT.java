package dev.drydock.it;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A chunked upload interrupted by a layer-store crash resumes from the offset the server reports. */
class UploadResumeIT {

    @Test
    void anUploadSurvivesALayerStoreCrashAndResumesFromTheReportedOffset() throws Exception {
        Platform platform = Platform.isolated(TestInfra.Kafka.shared());
        try {
            byte[] blob = new byte[3 * 1024 * 1024];
            new Random().nextBytes(blob);
            String digest = "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
            String bearer = platform.adminBearer("resume/blob");
            RequestSpecification frontDoor =
                    RestAssured.given().baseUri("http://" + platform.registry()).header("Authorization", bearer);

            String location = frontDoor
                    .post("/v2/resume/blob/blobs/uploads/")
                    .then()
                    .statusCode(202)
                    .extract()
                    .header("Location");
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .header("Content-Range", "0-1048575")
                    .contentType("application/octet-stream")
                    .body(Arrays.copyOfRange(blob, 0, 1024 * 1024))
                    .patch(location)
                    .then()
                    .statusCode(202)
                    .header("Range", "0-1048575");

            platform.kill("layer-store");
            platform.restart("layer-store", platform.layerStorePort);

            String range = RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .get(location)
                    .then()
                    .statusCode(204)
                    .extract()
                    .header("Range");
            int offset = Integer.parseInt(range.substring(range.indexOf('-') + 1)) + 1;
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .header("Content-Range", offset + "-" + (blob.length - 1))
                    .contentType("application/octet-stream")
                    .body(Arrays.copyOfRange(blob, offset, blob.length))
                    .patch(location)
                    .then()
                    .statusCode(202);
            RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .queryParam("digest", digest)
                    .put(location)
                    .then()
                    .statusCode(201)
                    .header("Docker-Content-Digest", equalTo(digest));

            byte[] read = RestAssured.given()
                    .baseUri("http://" + platform.registry())
                    .header("Authorization", bearer)
                    .get("/v2/resume/blob/blobs/" + digest)
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            assertArrayEquals(blob, read);
        } finally {
            platform.stop();
        }
    }
}
