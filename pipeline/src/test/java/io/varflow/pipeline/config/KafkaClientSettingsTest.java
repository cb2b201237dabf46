package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    @Test
    void plaintextByDefault() {
        Properties p =
                KafkaClientSettings.connection(
                        JobConfig.builder().set("kafka.bootstrap-servers", "k:9092").build());
        assertThat(p)
                .containsEntry("bootstrap.servers", "k:9092")
                .containsEntry("security.protocol", "PLAINTEXT");
        assertThat(p).doesNotContainKey("sasl.jaas.config");
    }

    @Test
    void saslSslBuildsJaasFromCredentialsAndUsesTheTrustStore() {
        JobConfig config =
                JobConfig.builder()
                        .set("kafka.security.protocol", "sasl_ssl")
                        .set("kafka.sasl.mechanism", "SCRAM-SHA-512")
                        .set("kafka.sasl.username", "svc")
                        .set("kafka.sasl.password", "p\"w")
                        .set("kafka.ssl.truststore.location", "/etc/kafka/truststore.p12")
                        .set("kafka.ssl.truststore.password", "tspw")
                        .build();
        Properties p = KafkaClientSettings.connection(config);
        assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(p.getProperty("sasl.jaas.config"))
                .isEqualTo(
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"svc\" password=\"p\\\"w\";");
        assertThat(p)
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("ssl.truststore.password", "tspw");
    }

    @Test
    void saslWithoutPasswordIsAClearError() {
        JobConfig config =
                JobConfig.builder()
                        .set("kafka.security.protocol", "SASL_PLAINTEXT")
                        .set("kafka.sasl.username", "svc")
                        .build();
        assertThatThrownBy(() -> KafkaClientSettings.connection(config))
                .hasMessageContaining("kafka.sasl.password is required")
                .hasMessageContaining("VARFLOW_KAFKA_SASL_PASSWORD");
    }

    @Test
    void unknownProtocolIsRejectedWhenTheSettingsAreBuilt() {
        assertThatThrownBy(() -> JobConfig.builder().set("kafka.security.protocol", "TLS").build())
                .hasMessageContaining("kafka.security.protocol must be one of")
                .hasMessageContaining("SASL_SSL")
                .hasMessageContaining("got 'TLS' (from --set)");
    }
}
