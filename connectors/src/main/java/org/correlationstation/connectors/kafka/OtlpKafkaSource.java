package org.correlationstation.connectors.kafka;

import java.util.Objects;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.correlationstation.core.logtext.TraceIdPatterns;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;

/**
 * The Kafka sources of OTLP spans and logs (SPEC §1): one {@link TelemetryEnvelope} per span or log,
 * and one per record that cannot be decoded (a dead letter).
 *
 * <pre>{@code
 * KafkaSource<TelemetryEnvelope> spans = OtlpKafkaSource.spans()
 *         .bootstrapServers("kafka:9092").encoding(OtlpEncoding.OTLP_JSON)
 *         .properties(settings.kafkaProperties()).build();
 * }</pre>
 */
public final class OtlpKafkaSource {
    public static final String DEFAULT_SPANS_TOPIC = "otlp_spans";
    public static final String DEFAULT_LOGS_TOPIC = "otlp_logs";
    public static final String DEFAULT_GROUP_ID = "correlation-station";
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_ENV = "dev";
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private OtlpKafkaSource() {}

    /** A source of {@code TracesData} messages, topic {@value #DEFAULT_SPANS_TOPIC} unless set. */
    public static Builder spans() {
        return new Builder(true);
    }

    /** A source of {@code LogsData} messages, topic {@value #DEFAULT_LOGS_TOPIC} unless set. */
    public static Builder logs() {
        return new Builder(false);
    }

    public static final class Builder {
        private final boolean spans;
        private boolean forwardOriginals;
        private String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
        private String topic;
        private String groupId = DEFAULT_GROUP_ID;
        private OtlpEncoding encoding = OtlpEncoding.OTLP_PROTO;
        private OffsetsInitializer startingOffsets = StartingOffsets.committedElseEarliest();
        private OffsetsInitializer stoppingOffsets;
        private String defaultEnv = DEFAULT_ENV;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private TraceIdPatterns traceIdPatterns = TraceIdPatterns.NONE;
        private final Properties properties = new Properties();

        private Builder(boolean spans) {
            this.spans = spans;
            this.topic = spans ? DEFAULT_SPANS_TOPIC : DEFAULT_LOGS_TOPIC;
        }

        /** Spans only: also emit each message's original {@code TracesData}, for the Tempo sink. */
        public Builder forwardOriginals(boolean forwardOriginals) {
            this.forwardOriginals = forwardOriginals;
            return this;
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers);
            return this;
        }

        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic);
            return this;
        }

        /** The group the source commits its offsets for (on checkpoints, for monitoring and restarts). */
        public Builder groupId(String groupId) {
            this.groupId = Objects.requireNonNull(groupId);
            return this;
        }

        public Builder encoding(OtlpEncoding encoding) {
            this.encoding = Objects.requireNonNull(encoding);
            return this;
        }

        /** Default: the group's committed offsets, earliest where it has none. */
        public Builder startingOffsets(OffsetsInitializer startingOffsets) {
            this.startingOffsets = Objects.requireNonNull(startingOffsets);
            return this;
        }

        /** {@code committed}, {@code earliest} or {@code latest} ({@code KAFKA_STARTING_OFFSETS}). */
        public Builder startingOffsets(String startingOffsets) {
            return startingOffsets(StartingOffsets.parse(startingOffsets));
        }

        /** Makes the source bounded: it stops at these offsets (tests, backfills). */
        public Builder bounded(OffsetsInitializer stoppingOffsets) {
            this.stoppingOffsets = Objects.requireNonNull(stoppingOffsets);
            return this;
        }

        /** The environment of resources that name none ({@code DEPLOYMENT_ENV}). */
        public Builder defaultEnv(String defaultEnv) {
            this.defaultEnv = Objects.requireNonNull(defaultEnv);
            return this;
        }

        /** Larger messages go to the dead letters with reason {@code oversized}. */
        public Builder maxMessageBytes(int maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /**
         * Logs only: how a log without trace context finds its trace id in its text
         * ({@code LOG_TRACE_ID_PATTERNS}); by default it does not.
         */
        public Builder traceIdPatterns(TraceIdPatterns traceIdPatterns) {
            this.traceIdPatterns = Objects.requireNonNull(traceIdPatterns);
            return this;
        }

        /**
         * Extra consumer properties (SASL, TLS, … from {@code KAFKA_PROPERTIES_FILE}). The settings of
         * this builder win over them.
         */
        public Builder properties(Properties extra) {
            ClientProperties.addAll(properties, extra);
            return this;
        }

        /** The client properties the source is given. */
        public Properties clientProperties() {
            Properties p = new Properties();
            p.putAll(properties);
            p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            // Both sources of a job share a group id: distinct client ids keep their metrics apart.
            p.setProperty("client.id.prefix", groupId + "-" + topic);
            return p;
        }

        public OtlpDeserializationSchema deserializer() {
            OtlpDecoder decoder = new OtlpDecoder(defaultEnv, maxMessageBytes, traceIdPatterns);
            return spans ? new OtlpSpansDeserializationSchema(decoder, encoding, forwardOriginals)
                    : new OtlpLogsDeserializationSchema(decoder, encoding);
        }

        public KafkaSource<TelemetryEnvelope> build() {
            KafkaSourceBuilder<TelemetryEnvelope> builder = KafkaSource.<TelemetryEnvelope>builder()
                    .setProperties(clientProperties())
                    .setTopics(topic)
                    .setStartingOffsets(startingOffsets)
                    .setDeserializer(deserializer());
            if (stoppingOffsets != null) builder.setBounded(stoppingOffsets);
            return builder.build();
        }
    }
}
