package io.varflow.pipeline.config;

import java.util.Locale;
import java.util.Properties;

/**
 * Kafka client properties (connection and security) from a {@link JobConfig}: bootstrap servers,
 * {@code security.protocol}, SASL (PLAIN or SCRAM, credentials turned into {@code
 * sasl.jaas.config}) and the TLS trust store, then the {@code kafka.property.*} pass-through
 * settings. Kafka's clients log passwords and JAAS settings as {@code [hidden]}.
 */
public final class KafkaClientSettings {

    private KafkaClientSettings() {}

    /** Properties shared by the job's sources and sinks and by {@code varflow submit}. */
    public static Properties connection(JobConfig config) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", config.require(JobOptions.KAFKA_BOOTSTRAP_SERVERS));
        String protocol = config.require(JobOptions.KAFKA_SECURITY_PROTOCOL);
        p.setProperty("security.protocol", protocol);
        if (protocol.startsWith("SASL_")) {
            String mechanism =
                    config.require(JobOptions.KAFKA_SASL_MECHANISM).trim().toUpperCase(Locale.ROOT);
            p.setProperty("sasl.mechanism", mechanism);
            if (!config.kafkaPassthrough().containsKey("sasl.jaas.config")) {
                p.setProperty("sasl.jaas.config", jaas(mechanism, config));
            }
        }
        if (protocol.endsWith("SSL")) {
            config.find(JobOptions.KAFKA_SSL_TRUSTSTORE_LOCATION)
                    .ifPresent(v -> p.setProperty("ssl.truststore.location", v));
            config.find(JobOptions.KAFKA_SSL_TRUSTSTORE_PASSWORD)
                    .ifPresent(v -> p.setProperty("ssl.truststore.password", v));
            config.find(JobOptions.KAFKA_SSL_TRUSTSTORE_TYPE)
                    .ifPresent(v -> p.setProperty("ssl.truststore.type", v));
        }
        config.kafkaPassthrough().forEach(p::setProperty);
        return p;
    }

    private static String jaas(String mechanism, JobConfig config) {
        String module =
                switch (mechanism) {
                    case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
                    case "SCRAM-SHA-256", "SCRAM-SHA-512" ->
                            "org.apache.kafka.common.security.scram.ScramLoginModule";
                    default ->
                            throw new IllegalArgumentException(
                                    JobOptions.KAFKA_SASL_MECHANISM.key()
                                            + " "
                                            + mechanism
                                            + " needs its own sasl.jaas.config: set "
                                            + JobOptions.KAFKA_PASSTHROUGH_PREFIX
                                            + "sasl.jaas.config");
                };
        String user = config.require(JobOptions.KAFKA_SASL_USERNAME);
        String password = config.require(JobOptions.KAFKA_SASL_PASSWORD);
        return module
                + " required username=\""
                + escape(user)
                + "\" password=\""
                + escape(password)
                + "\";";
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
