package org.correlationstation.connectors.kafka;

import java.util.Objects;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The sink of the dead-letter topic ({@code otlp_dlq}).
 *
 * <p>At-least-once, not exactly-once: the writer flushes on every checkpoint, so no dead letter is
 * lost, and a duplicate after a restart costs nothing (the DLQ is read by people and replay tools, and
 * a replayed message is deduplicated by the correlator). Exactly-once would add Kafka transactions to
 * a rarely used path: transactional ids to manage, read_committed readers, and a job restart whenever
 * a checkpoint takes longer than the transaction timeout.
 */
public final class DeadLetterSink {
    public static final String DEFAULT_TOPIC = "otlp_dlq";
    /**
     * A dead letter carries a whole source message plus headers, which can exceed the producer's 1 MiB
     * default; the broker's (topic's) {@code max.message.bytes} is the real limit, so the DLQ topic must
     * allow at least what the source topics allow.
     */
    static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    private DeadLetterSink() {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String bootstrapServers = OtlpKafkaSource.DEFAULT_BOOTSTRAP_SERVERS;
        private String topic = DEFAULT_TOPIC;
        private final Properties properties = new Properties();

        private Builder() {}

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers);
            return this;
        }

        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic);
            return this;
        }

        /** Extra producer properties (SASL, TLS, …); the settings of this builder win over them. */
        public Builder properties(Properties extra) {
            ClientProperties.addAll(properties, extra);
            return this;
        }

        public Properties clientProperties() {
            Properties p = new Properties();
            p.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(DEFAULT_MAX_REQUEST_BYTES));
            p.putAll(properties);
            p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            return p;
        }

        public KafkaSink<DeadLetter> build() {
            return KafkaSink.<DeadLetter>builder()
                    .setKafkaProducerConfig(clientProperties())
                    .setRecordSerializer(new DeadLetterSerializationSchema(topic))
                    .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                    .build();
        }
    }
}
