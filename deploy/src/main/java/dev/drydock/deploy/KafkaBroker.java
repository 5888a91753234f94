package dev.drydock.deploy;

import dev.drydock.events.KafkaLogin;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * One Kafka broker in KRaft mode (broker and controller in one process), run as a child process
 * on this launcher's own classpath. Its storage is formatted once and kept.
 *
 * <p>Clients sign in with SASL/SCRAM-SHA-256 as the one user {@value #USER}, whose credential is
 * written into the cluster's metadata when the storage is formatted (or, for storage formatted
 * before Drydock had credentials, once through a short start without them). The controller
 * listener, which also takes some admin requests (KIP-919), needs a login too: SASL/PLAIN with a
 * password of its own (SCRAM credentials live in the metadata the controller serves, so the
 * controller cannot use them itself).
 */
final class KafkaBroker {

    /** A fixed cluster id: the log directory belongs to this one-node cluster only. */
    private static final String CLUSTER_ID = "ZHJ5ZG9jay1kZWZhdWx0MQ";

    static final String USER = "drydock";
    private static final String CONTROLLER_USER = "controller";

    private final Path dir;
    private final Path logs;
    private final Path runDir;
    private final int port;
    private final int controllerPort;
    private final Secrets secrets;
    private final KafkaLogin login;
    private Process process;

    KafkaBroker(Path dir, Path logs, Path runDir, int port, int controllerPort, Secrets secrets) throws IOException {
        this.dir = dir;
        this.logs = logs;
        this.runDir = runDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.secrets = secrets;
        // The password is kept only once the storage holds the user: a start that fails halfway
        // leaves no password the broker does not know, and the next start tries again.
        this.login = new KafkaLogin(
                USER, secrets.has("kafka-password") ? secrets.get("kafka-password") : Secrets.generate());
    }

    private boolean formatted() {
        return Files.exists(dir.resolve("log").resolve("meta.properties"));
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    KafkaLogin login() {
        return login;
    }

    void start() throws IOException, InterruptedException {
        // asked now, not at construction: a restart of a broker this launcher formatted has the password kept
        if (!secrets.has("kafka-password") && formatted()) {
            addUserToOldStorage();
            secrets.put("kafka-password", login.password());
        }
        start(true);
    }

    /**
     * Deletes every SCRAM user but {@value #USER}: one that a local process could have added while
     * the broker ran without sign-in (storage from before it, or a password being replaced).
     */
    void removeOtherUsers() throws Exception {
        try (Admin admin = Admin.create(login.clientSettings(bootstrap()))) {
            List<String> others = admin.describeUserScramCredentials().users().get(60, TimeUnit.SECONDS).stream()
                    .filter(user -> !user.equals(USER))
                    .toList();
            if (!others.isEmpty()) {
                admin.alterUserScramCredentials(others.stream()
                                .<UserScramCredentialAlteration>map(
                                        user -> new UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_256))
                                .toList())
                        .all()
                        .get(60, TimeUnit.SECONDS);
                Infrastructure.log("removed Kafka users that Drydock did not create: " + others);
            }
        }
    }

    private void start(boolean secured) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.createDirectories(logs);
        Path properties = dir.resolve("server.properties");
        String controllerPassword = secrets.get("kafka-controller-password");
        String controllerLogin = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + CONTROLLER_USER + "\" password=\"" + controllerPassword + "\" user_" + CONTROLLER_USER + "=\""
                + controllerPassword + "\";";
        String listeners = secured
                ? String.join(
                        "\n",
                        "listeners=SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                        "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "inter.broker.listener.name=SASL_PLAINTEXT",
                        "listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                        "sasl.enabled.mechanisms=" + KafkaLogin.MECHANISM,
                        "sasl.mechanism.inter.broker.protocol=" + KafkaLogin.MECHANISM,
                        "listener.name.sasl_plaintext." + KafkaLogin.MECHANISM.toLowerCase() + ".sasl.jaas.config="
                                + login.jaasConfig(),
                        "sasl.mechanism.controller.protocol=PLAIN",
                        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                        "listener.name.controller.plain.sasl.jaas.config=" + controllerLogin)
                : String.join(
                        "\n", // only to write the SCRAM user into storage formatted without one
                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        // it holds passwords: readable by this user only
        Secrets.writePrivate(
                properties,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                        listeners,
                        "controller.listener.names=CONTROLLER",
                        "log.dirs=" + dir.resolve("log"),
                        "auto.create.topics.enable=false",
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        // durability (see KafkaDurability): one broker, so an acknowledged record survives a
                        // crash of the machine only if it is on disk before the acknowledgement, as
                        // PostgreSQL's commits are. Kafka checks this after appending each batch to a
                        // partition, before answering: one flush per partition and batch, not per record
                        "log.flush.interval.messages=1",
                        "min.insync.replicas=1",
                        "unclean.leader.election.enable=false",
                        ""));
        Path logFile = logs.resolve("kafka.log");
        if (!formatted()) {
            Infrastructure.log("formatting Kafka storage in " + dir.resolve("log"));
            // in this process, so that the user's password never stands on a command line; what the
            // tool prints (the credential's salted keys among it) is not kept
            int exit = kafka.tools.StorageTool.execute(
                    new String[] {
                        "format",
                        "-t",
                        CLUSTER_ID,
                        "-c",
                        properties.toString(),
                        "--standalone",
                        "--ignore-formatted",
                        "--add-scram",
                        KafkaLogin.MECHANISM + "=[name=" + USER + ",password=" + login.password() + "]"
                    },
                    new PrintStream(OutputStream.nullOutputStream()));
            if (exit != 0) {
                throw new IllegalStateException("formatting Kafka storage failed (exit " + exit + ")");
            }
            secrets.put("kafka-password", login.password());
        }
        Infrastructure.log("starting Kafka on " + bootstrap() + ", log in " + dir.resolve("log"));
        process = java("kafka.Kafka", properties.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true)
                .start();
        Files.writeString(runDir.resolve("kafka.pid"), Long.toString(process.pid()));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!listening()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + "; see " + logFile);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "Kafka did not listen on " + bootstrap() + " within 90 s; see " + logFile);
            }
            Thread.sleep(200);
        }
    }

    /** Storage formatted before Drydock had credentials: one start without them writes the user in. */
    private void addUserToOldStorage() throws IOException {
        Infrastructure.log("Kafka storage from before sign-in: adding the SCRAM user " + USER);
        try {
            start(false);
            try (Admin admin = Admin.create(KafkaLogin.none().clientSettings(bootstrap()))) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), login.password())))
                        .all()
                        .get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while adding the Kafka user", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot add the Kafka user to the existing storage", e);
        } finally {
            stop();
        }
    }

    /** Whether the broker this launcher started still runs. */
    boolean alive() {
        return process != null && process.isAlive();
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
        List<String> command = new ArrayList<>(List.of(
                javaBin.toString(), "-Xms128m", "-Xmx384m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }
}
