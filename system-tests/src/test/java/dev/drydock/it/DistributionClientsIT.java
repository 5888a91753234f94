package dev.drydock.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution API as skopeo and podman use it: multi-platform indexes, mounts, tags, deletes. */
class DistributionClientsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Platform platform;
    private static OciLayoutWriter.Descriptor index;
    private static final Map<String, OciLayoutWriter.Descriptor> images = new LinkedHashMap<>();

    @TempDir
    static Path work;

    @BeforeAll
    static void pushAMultiPlatformImage() {
        platform = Platform.get();
        OciLayoutWriter layout = new OciLayoutWriter(work.resolve("multi"));
        images.put("amd64", layout.image("amd64", 2, 64_000));
        images.put("arm64", layout.image("arm64", 2, 64_000));
        index = layout.index(images);
        layout.tag("v1", index);
        skopeo(
                "copy",
                "--all",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + layout.path() + ":v1",
                docker("acme/multi:v1"));
    }

    private static String docker(String reference) {
        return "docker://" + platform.registry() + "/" + reference;
    }

    private static String skopeo(String... arguments) {
        String[] command = new String[arguments.length + 1];
        command[0] = "skopeo";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return Commands.run(work, command);
    }

    private static String podman(String... arguments) {
        String[] command = new String[arguments.length + 7];
        command[0] = "podman";
        command[1] = "--storage-driver";
        command[2] = "vfs";
        command[3] = "--root";
        command[4] = work.resolve("podman-root").toString();
        command[5] = "--runroot";
        command[6] = work.resolve("podman-run").toString();
        System.arraycopy(arguments, 0, command, 7, arguments.length);
        return Commands.run(work, command);
    }

    @Test
    void anIndexPushedWithAllIsServedByteForByteAndPerPlatform() throws Exception {
        String raw = skopeo("inspect", "--raw", "--tls-verify=false", docker("acme/multi:v1"));
        byte[] pushed = Files.readAllBytes(work.resolve("multi")
                .resolve("blobs")
                .resolve("sha256")
                .resolve(index.digest().substring("sha256:".length())));
        assertArrayEquals(pushed, raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        JsonNode arm = JSON.readTree(
                skopeo("inspect", "--tls-verify=false", "--override-arch", "arm64", docker("acme/multi:v1")));
        assertEquals("arm64", arm.path("Architecture").asText());
        JsonNode amd = JSON.readTree(
                skopeo("inspect", "--tls-verify=false", "--override-arch", "amd64", docker("acme/multi:v1")));
        assertEquals("amd64", amd.path("Architecture").asText());
        assertNotEquals(arm.path("Layers"), amd.path("Layers"));

        Path copy = work.resolve("copy");
        skopeo("copy", "--all", "--src-tls-verify=false", docker("acme/multi:v1"), "oci:" + copy + ":v1");
        assertEquals(index.digest(), OciImages.manifestDigest(copy, "v1"));
    }

    @Test
    void listTagsShowsEveryTag() throws Exception {
        skopeo(
                "copy",
                "--all",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                docker("acme/multi:v1"),
                docker("acme/multi:stable"));
        JsonNode tags = JSON.readTree(skopeo("list-tags", "--tls-verify=false", docker("acme/multi")));
        assertEquals("[\"stable\",\"v1\"]", tags.path("Tags").toString());
    }

    @Test
    void copyingBetweenRepositoriesMountsTheLayersInsteadOfUploadingThem() {
        skopeo(
                "copy",
                "--all",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                "--src-creds",
                platform.adminCreds(),
                "--dest-creds",
                platform.adminCreds(),
                docker("acme/multi:v1"),
                docker("other/multi:v1"));
        List<String> layers = OciImages.layerDigests(
                work.resolve("multi"),
                List.of(images.get("amd64").digest(), images.get("arm64").digest()));
        OciImages.assertMountedNotUploaded(platform, "other/multi", layers);
    }

    @Test
    void skopeoDeleteRemovesTheImage() {
        skopeo(
                "copy",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                "--override-arch",
                "amd64",
                "--dest-creds",
                platform.adminCreds(),
                docker("acme/multi:v1"),
                docker("acme/doomed:v1"));
        skopeo("delete", "--tls-verify=false", "--creds", platform.adminCreds(), docker("acme/doomed:v1"));
        Commands.Result inspect = Commands.attempt(
                work,
                "skopeo",
                "inspect",
                "--tls-verify=false",
                "--creds",
                platform.adminCreds(),
                docker("acme/doomed:v1"));
        assertNotEquals(0, inspect.exitCode(), inspect.output());
        assertTrue(inspect.output().contains("manifest unknown"), inspect.output());
    }

    @Test
    void podmanPullsOnePlatformOfTheIndexAndPushesItToAnotherRepository() {
        podman("pull", "--tls-verify=false", "--arch", "arm64", platform.registry() + "/acme/multi:v1");
        assertEquals(
                "arm64",
                podman("image", "inspect", "--format", "{{.Architecture}}", platform.registry() + "/acme/multi:v1")
                        .trim());
        podman("tag", platform.registry() + "/acme/multi:v1", platform.registry() + "/team/from-podman:arm64");
        podman(
                "push",
                "--tls-verify=false",
                "--creds",
                platform.adminCreds(),
                platform.registry() + "/team/from-podman:arm64");

        given().baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer("team/from-podman"))
                .get("/v2/team/from-podman/tags/list")
                .then()
                .statusCode(200)
                .body("tags", equalTo(java.util.List.of("arm64")));
        Path pulled = work.resolve("podman-pulled");
        skopeo("copy", "--src-tls-verify=false", docker("team/from-podman:arm64"), "oci:" + pulled + ":arm64");
        assertTrue(Files.exists(pulled.resolve("index.json")));
    }
}
