package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rebuilding every projection from offset zero reproduces the live ones, table for table. */
class RebuildIT {

    @TempDir
    static Path work;

    @Test
    void aRebuildFromTheLogEqualsTheLiveProjectionsAndTheConsumerGoesOn() {
        Platform platform = Platform.get();
        String front = "http://" + platform.registry();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String repository = "rebuild" + suffix + "/app";
        String user = "rebuilder" + suffix;
        // a history worth replaying: pushes, a moved tag, pulls, a star, a description, a private repository
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve("image"));
        writer.tag("v1", writer.image("amd64", 1, 4_000));
        writer.tag("v2", writer.image("arm64", 1, 4_000));
        for (String tag : List.of("v1", "v2")) {
            Commands.run(
                    work,
                    "skopeo",
                    "copy",
                    "--dest-tls-verify=false",
                    "--dest-creds",
                    platform.adminCreds(),
                    "oci:" + writer.path() + ":" + tag,
                    "docker://" + platform.registry() + "/" + repository + ":latest");
        }
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "docker://" + platform.registry() + "/" + repository + ":latest",
                "oci:" + work.resolve("pulled") + ":x");
        RestAssured.given()
                .baseUri(front)
                .contentType("application/json")
                .body(Map.of("username", user, "password", "a long enough password"))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(user, "a long enough password")
                .put("/api/v1/repositories/" + repository + "/star")
                .then()
                .statusCode(204);
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(user, "a long enough password")
                .contentType("application/json")
                .body(Map.of("name", user + "/hidden", "visibility", "private", "description", "rebuilt too"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri(front)
                        .get("/api/v1/repositories/" + repository)
                        .then()
                        .statusCode(200)
                        .body("stars", equalTo(1))
                        .body("pulls", equalTo(1)));

        // only platform admins may rebuild
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(user, "a long enough password")
                .post("/api/v1/admin/projections/rebuild")
                .then()
                .statusCode(403);
        RestAssured.given()
                .baseUri("http://127.0.0.1:" + platform.auditPort)
                .post("/api/v1/admin/projections/rebuild")
                .then()
                .statusCode(401);

        Response rebuilt = RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic("admin", platform.adminPassword)
                .post("/api/v1/admin/projections/rebuild");
        rebuilt.then().statusCode(200);
        List<Map<String, Object>> tables = rebuilt.jsonPath().getList("tables");
        assertTrue(tables.size() >= 8, "every projection table is rebuilt: " + tables);
        for (Map<String, Object> table : tables) {
            assertEquals(table.get("live"), table.get("rebuilt"), "table " + table.get("table") + " differs: " + table);
            assertEquals(table.get("liveRows"), table.get("rebuiltRows"), "rows of " + table.get("table"));
        }
        assertEquals(Boolean.TRUE, rebuilt.jsonPath().get("identical"));
        assertTrue(rebuilt.jsonPath().getLong("applied") > 10, rebuilt.asString());

        // the rebuilt projections serve reads, the audit chain holds, and new events keep flowing in
        RestAssured.given()
                .baseUri(front)
                .get("/api/v1/repositories/" + repository)
                .then()
                .statusCode(200)
                .body("stars", equalTo(1))
                .body("pulls", equalTo(1));
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic("admin", platform.adminPassword)
                .get("/api/v1/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));
        RestAssured.given()
                .baseUri(front)
                .auth()
                .preemptive()
                .basic(user, "a long enough password")
                .queryParam("q", "rebuilt")
                .get("/api/v1/search")
                .then()
                .statusCode(200)
                .body("name", hasItem(user + "/hidden"));
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + writer.path() + ":v1",
                "docker://" + platform.registry() + "/" + repository + ":after");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> RestAssured.given()
                        .baseUri(front)
                        .get("/api/v1/repositories/" + repository)
                        .then()
                        .statusCode(200)
                        .body("tags.name", hasItem("after")));
    }
}
