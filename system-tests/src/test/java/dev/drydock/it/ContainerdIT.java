package dev.drydock.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * containerd (the puller and pusher inside Docker's containerd image store, nerdctl and BuildKit)
 * against the front door: its own daemon, in a directory of this test, driven with {@code ctr}. It
 * pulls anonymously, picks one platform out of an index, logs in to push and pushes to another
 * repository by mounting the layers it pulled from the first. (containerd needs root.)
 */
class ContainerdIT {

    private static Platform platform;
    private static final Map<String, OciLayoutWriter.Descriptor> images = new LinkedHashMap<>();
    private static OciLayoutWriter.Descriptor index;
    private static Process containerd;
    private static Path socket;

    @TempDir
    static Path work;

    @BeforeAll
    static void startContainerdAndPushAMultiPlatformImage() throws Exception {
        platform = Platform.get();
        OciLayoutWriter layout = new OciLayoutWriter(work.resolve("multi"));
        images.put("amd64", layout.image("amd64", 2, 50_000));
        images.put("arm64", layout.image("arm64", 2, 50_000));
        index = layout.index(images);
        layout.tag("v1", index);
        Commands.run(
                work,
                "skopeo",
                "copy",
                "--all",
                "--dest-tls-verify=false",
                "--dest-creds",
                platform.adminCreds(),
                "oci:" + layout.path() + ":v1",
                "docker://" + platform.registry() + "/containerd/multi:v1");

        socket = work.resolve("containerd.sock");
        Path config = work.resolve("containerd.toml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "version = 2",
                        "root = \"" + work.resolve("root") + "\"",
                        "state = \"" + work.resolve("state") + "\"",
                        // no Kubernetes: the CRI plugin would want CNI; images need only the content store and a
                        // snapshotter
                        "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
                        "[grpc]",
                        "  address = \"" + socket + "\"",
                        "[ttrpc]",
                        "  address = \"" + socket + ".ttrpc\"",
                        "[plugins.\"io.containerd.internal.v1.opt\"]",
                        "  path = \"" + work.resolve("opt") + "\"",
                        ""));
        containerd = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("containerd.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertTrue(containerd.isAlive(), () -> "containerd exited (it runs as root): " + log());
            return Commands.attempt(work, "ctr", "--address", socket.toString(), "version")
                            .exitCode()
                    == 0;
        });
    }

    @AfterAll
    static void stopContainerd() throws InterruptedException {
        if (containerd != null) {
            containerd.destroy();
            containerd.waitFor();
        }
    }

    private static String log() {
        try {
            return Files.readString(work.resolve("containerd.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String ctr(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString()));
        command.addAll(List.of(arguments));
        return Commands.run(work, command.toArray(String[]::new));
    }

    @Test
    void containerdPullsOnePlatformOfTheIndexAnonymously() {
        String reference = platform.registry() + "/containerd/multi:v1";
        ctr("images", "pull", "--plain-http", "--snapshotter", "native", "--platform", "linux/arm64", reference);

        assertTrue(ctr("images", "ls").contains(index.digest()), "the image is the pushed index");
        String content = ctr("content", "ls", "-q");
        List<String> arm =
                OciImages.blobDigests(work.resolve("multi"), images.get("arm64").digest());
        List<String> amd =
                OciImages.blobDigests(work.resolve("multi"), images.get("amd64").digest());
        assertTrue(arm.stream().allMatch(content::contains), "arm64's config and layers are fetched: " + content);
        assertFalse(
                amd.subList(1, amd.size()).stream().anyMatch(content::contains), "amd64's layers are not: " + content);
    }

    @Test
    void containerdPushesToAnotherRepositoryByMountingTheLayers() {
        String source = platform.registry() + "/containerd/multi:v1";
        String target = platform.registry() + "/containerd/copy:v1";
        ctr("images", "pull", "--plain-http", "--snapshotter", "native", "--all-platforms", source);
        ctr("images", "tag", "--force", source, target);
        ctr("images", "push", "--plain-http", "--user", platform.adminCreds(), target);

        String digest = given().baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer("containerd/copy"))
                .header("Accept", OciLayoutWriter.INDEX)
                .head("/v2/containerd/copy/manifests/v1")
                .then()
                .statusCode(200)
                .extract()
                .header("Docker-Content-Digest");
        assertEquals(index.digest(), digest);

        List<String> layers = OciImages.layerDigests(
                work.resolve("multi"),
                images.values().stream().map(OciLayoutWriter.Descriptor::digest).toList());
        OciImages.assertMountedNotUploaded(platform, "containerd/copy", layers);
    }
}
