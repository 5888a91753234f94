package dev.drydock.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Kafka broker in KRaft mode (broker and controller in one process), run as a child process
 * on this launcher's own classpath. Its storage is formatted once and kept.
 */
final class KafkaBroker {

    /** A fixed cluster id: the log directory belongs to this one-node cluster only. */
    private static final String CLUSTER_ID = "ZHJ5ZG9jay1kZWZhdWx0MQ";

    private final Path dir;
    private final Path logs;
    private final Path runDir;
    private final int port;
    private final int controllerPort;
    private Process process;

    KafkaBroker(Path dir, Path logs, Path runDir, int port, int controllerPort) {
        this.dir = dir;
        this.logs = logs;
        this.runDir = runDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    void start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.createDirectories(logs);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dir.resolve("log"),
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        Path logFile = logs.resolve("kafka.log");
        if (!Files.exists(dir.resolve("log").resolve("meta.properties"))) {
            Infrastructure.log("formatting Kafka storage in " + dir.resolve("log"));
            Process format = java("kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c", properties.toString(),
                    "--standalone", "--ignore-formatted").redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectErrorStream(true).start();
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed; see " + logFile);
            }
        }
        Infrastructure.log("starting Kafka on " + bootstrap() + ", log in " + dir.resolve("log"));
        process = java("kafka.Kafka", properties.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true).start();
        Files.writeString(runDir.resolve("kafka.pid"), Long.toString(process.pid()));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!listening()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + "; see " + logFile);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Kafka did not listen on " + bootstrap() + " within 90 s; see " + logFile);
            }
            Thread.sleep(200);
        }
    }

    void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static ProcessBuilder java(String mainClass, String... args) {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(javaBin.toString(), "-Xms128m", "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }
}
