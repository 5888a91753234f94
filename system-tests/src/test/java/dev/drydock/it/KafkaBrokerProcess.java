package dev.drydock.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker of a test's own, started by the same launcher as {@code ./drydock up} (its
 * PostgreSQL part skipped by pointing it at the test database), so that the test may stop Kafka
 * and start it again on the same port and log without touching the shared broker.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dataDir;
    private final int port = Ports.freePair(); // the listener, and the controller on the next port
    private Process process;

    KafkaBrokerProcess() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("target"), "kafka-").toAbsolutePath();
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    void start() throws IOException, InterruptedException {
        Path deploy = Path.of("..", "deploy", "target").toAbsolutePath().normalize();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.deleteIfExists(dataDir.resolve("run").resolve("infra.env"));
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp",
                deploy.resolve("drydock-deploy.jar") + ":" + deploy.resolve("lib") + "/*", "dev.drydock.deploy.Infrastructure")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("launcher.log").toFile()));
        builder.environment().put("DRYDOCK_DATA_DIR", dataDir.toString());
        builder.environment().put("DRYDOCK_KAFKA_PORT", Integer.toString(port));
        builder.environment().put("DRYDOCK_DB_URL", System.getProperty("drydock-test.db-url", "jdbc:postgresql://127.0.0.1:25432/drydock"));
        builder.environment().put("DRYDOCK_DB_USER", "drydock");
        builder.environment().put("DRYDOCK_DB_PASSWORD", "drydock");
        process = builder.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (!Files.exists(dataDir.resolve("run").resolve("infra.env"))) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the test's Kafka did not start; see " + dataDir.resolve("launcher.log"));
            }
            Thread.sleep(200);
        }
    }

    /** Stops the broker (the launcher's shutdown stops Kafka with it). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
