package dev.drydock.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jib (from Maven Central) builds a Java application image and pushes it to Drydock; skopeo reads it back. */
class JibIT {

    @TempDir
    Path work;

    @Test
    void jibPushesAJavaApplicationImage() throws Exception {
        Platform platform = Platform.get();
        Path app = work.resolve("jib-app");
        copy(Path.of("src", "test", "resources", "jib-app"), app);
        String image = platform.registry() + "/acme/jib-app:1.0";
        // plain HTTP on loopback in tests: Jib must be told it may send credentials over it
        Commands.run(
                app,
                "mvn",
                "-B",
                "-q",
                "package",
                "com.google.cloud.tools:jib-maven-plugin:3.5.2:build",
                "-Djib.from=scratch",
                "-Djib.to.image=" + image,
                "-Djib.allowInsecureRegistries=true",
                "-DsendCredentialsOverHttp=true",
                "-Djib.to.auth.username=" + Platform.ADMIN,
                "-Djib.to.auth.password=" + platform.adminPassword);

        JsonNode config = new ObjectMapper()
                .readTree(Commands.run(
                        app,
                        "skopeo",
                        "inspect",
                        "--config",
                        "--tls-verify=false",
                        "--creds",
                        platform.adminCreds(),
                        "docker://" + image));
        assertTrue(config.path("config").path("Entrypoint").toString().contains("demo.Hello"), config.toString());
        JsonNode inspect = new ObjectMapper()
                .readTree(Commands.run(
                        app,
                        "skopeo",
                        "inspect",
                        "--tls-verify=false",
                        "--creds",
                        platform.adminCreds(),
                        "docker://" + image));
        assertTrue(inspect.path("Layers").size() >= 1, "Jib's application layers: " + inspect);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
