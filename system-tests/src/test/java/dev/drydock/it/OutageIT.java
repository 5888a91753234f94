package dev.drydock.it;

import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nothing is lost and nothing counts twice: pushes and pulls go on while Kafka is down (their
 * events wait in the outbox), and audit-service killed with SIGKILL in the middle of a stream
 * ends, after a restart, with exact counts.
 */
class OutageIT {

    @TempDir
    static Path work;

    private static String push(Platform platform, String repository, String architecture) {
        OciLayoutWriter writer = new OciLayoutWriter(work.resolve(repository.replace('/', '-') + "-" + architecture));
        writer.tag("v1", writer.image(architecture, 1, 5_000));
        Commands.run(work, "skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", platform.adminCreds(),
                "oci:" + writer.path() + ":v1", "docker://" + platform.registry() + "/" + repository + ":v1");
        return OciImages.manifestDigest(writer.path(), "v1");
    }

    private static void pull(Platform platform, String repository, int times) {
        String bearer = platform.bearer(null, null, repository);
        for (int i = 0; i < times; i++) {
            RestAssured.given().baseUri("http://" + platform.registry()).header("Authorization", bearer)
                    .accept("application/vnd.oci.image.manifest.v1+json").get("/v2/" + repository + "/manifests/v1")
                    .then().statusCode(200);
        }
    }

    private static List<String> auditTypes(Platform platform, String repository) {
        return RestAssured.given().baseUri("http://" + platform.registry()).header("Authorization", platform.adminBearer())
                .queryParam("repository", repository).queryParam("limit", 500).get("/api/v1/audit")
                .then().statusCode(200).extract().jsonPath().getList("items.type", String.class);
    }

    @Test
    void pushesAndPullsDuringAKafkaOutageAreAllProjectedExactlyOnceAfterwards() throws Exception {
        try (KafkaBrokerProcess kafka = new KafkaBrokerProcess()) {
            kafka.start();
            Platform platform = Platform.isolated(kafka.bootstrap());
            try {
                push(platform, "outage/before", "amd64");
                await().atMost(Duration.ofSeconds(20)).until(() -> auditTypes(platform, "outage/before")
                        .contains("dev.drydock.manifest.pushed"));

                kafka.stop();
                push(platform, "outage/during", "amd64");
                pull(platform, "outage/during", 25);
                push(platform, "outage/during", "arm64"); // moves the tag

                kafka.start();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        RestAssured.given().baseUri("http://" + platform.registry())
                                .get("/api/v1/repositories/outage/during/pulls").then().statusCode(200)
                                .body("total", equalTo(25)));
                List<String> types = auditTypes(platform, "outage/during");
                assertEquals(2, types.stream().filter("dev.drydock.manifest.pushed"::equals).count(), types.toString());
                assertEquals(1, types.stream().filter("dev.drydock.tag.created"::equals).count(), types.toString());
                assertEquals(1, types.stream().filter("dev.drydock.tag.moved"::equals).count(), types.toString());
                assertEquals(25, types.stream().filter("dev.drydock.image.pulled"::equals).count(), types.toString());
            } finally {
                platform.stop();
            }
        }
    }

    @Test
    void auditServiceKilledInTheMiddleOfAStreamEndsWithExactCounts() throws Exception {
        Platform platform = Platform.isolated(System.getProperty("drydock-test.kafka", "127.0.0.1:29092"));
        try {
            push(platform, "crash/counted", "amd64");
            pull(platform, "crash/counted", 40);
            platform.kill("audit-service");
            pull(platform, "crash/counted", 40);
            platform.restart("audit-service", platform.auditPort);
            pull(platform, "crash/counted", 20);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    RestAssured.given().baseUri("http://" + platform.registry())
                            .get("/api/v1/repositories/crash/counted/pulls").then().statusCode(200)
                            .body("total", equalTo(100)));
            assertEquals(100, auditTypes(platform, "crash/counted").stream()
                    .filter("dev.drydock.image.pulled"::equals).count());
            RestAssured.given().baseUri("http://" + platform.registry()).header("Authorization", platform.adminBearer())
                    .get("/api/v1/audit/verify").then().statusCode(200).body("intact", equalTo(true));
        } finally {
            platform.stop();
        }
    }
}
