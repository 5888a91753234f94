package dev.drydock.events;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a Drydock process signs in to Kafka. The single-machine launcher runs its broker with
 * SASL/SCRAM-SHA-256 and one user whose password it generates; an operator's own cluster may use
 * the same, or nothing (no user: a plain connection). Every Kafka client of the platform takes its
 * settings from here, so that no client is left connecting without them.
 */
public record KafkaLogin(String username, String password) {

    public static final String MECHANISM = "SCRAM-SHA-256";

    public KafkaLogin {
        username = username == null || username.isBlank() ? null : username;
        password = password == null ? "" : password;
    }

    public static KafkaLogin none() {
        return new KafkaLogin(null, null);
    }

    public static KafkaLogin of(Optional<String> username, Optional<String> password) {
        return new KafkaLogin(username.orElse(null), password.orElse(null));
    }

    /** From {@code DRYDOCK_KAFKA_USERNAME} and {@code DRYDOCK_KAFKA_PASSWORD}; none when the user is unset. */
    public static KafkaLogin fromEnvironment() {
        return new KafkaLogin(System.getenv("DRYDOCK_KAFKA_USERNAME"), System.getenv("DRYDOCK_KAFKA_PASSWORD"));
    }

    public boolean signsIn() {
        return username != null;
    }

    /** Client settings (a mutable map, for the caller's own settings) for the cluster at {@code bootstrap}. */
    public Map<String, Object> clientSettings(String bootstrap) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("bootstrap.servers", bootstrap);
        if (signsIn()) {
            settings.put("security.protocol", "SASL_PLAINTEXT");
            settings.put("sasl.mechanism", MECHANISM);
            settings.put("sasl.jaas.config", jaasConfig());
        }
        return settings;
    }

    /** The JAAS line of the SCRAM login module for this user (also the broker's own inter-broker login). */
    public String jaasConfig() {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + quoted(username)
                + "\" password=\"" + quoted(password) + "\";";
    }

    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return signsIn() ? "SASL/" + MECHANISM + " as " + username : "no sign-in";
    }
}
