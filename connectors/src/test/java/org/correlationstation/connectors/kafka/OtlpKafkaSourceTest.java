package org.correlationstation.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.junit.jupiter.api.Test;

class OtlpKafkaSourceTest {

    @Test
    void defaultsFollowTheSpec() {
        OtlpKafkaSource.Builder spans = OtlpKafkaSource.spans();
        Properties p = spans.clientProperties();

        assertThat(p.getProperty("bootstrap.servers")).isEqualTo("localhost:9092");
        assertThat(p.getProperty("group.id")).isEqualTo("correlation-station");
        assertThat(p.getProperty("client.id.prefix")).isEqualTo("correlation-station-otlp_spans");
        assertThat(spans.deserializer()).isInstanceOf(OtlpSpansDeserializationSchema.class);
        assertThat(spans.deserializer().encoding()).isEqualTo(OtlpEncoding.OTLP_PROTO);
        assertThat(OtlpKafkaSource.logs().deserializer()).isInstanceOf(OtlpLogsDeserializationSchema.class);
        assertThat(OtlpKafkaSource.logs().clientProperties().getProperty("client.id.prefix"))
                .isEqualTo("correlation-station-otlp_logs");
    }

    @Test
    void extraPropertiesAreKeptButTheBuildersSettingsWin() {
        Properties extra = new Properties();
        extra.setProperty("security.protocol", "SASL_SSL");
        extra.setProperty("sasl.mechanism", "SCRAM-SHA-512");
        extra.setProperty("bootstrap.servers", "from-file:9092");

        Properties p = OtlpKafkaSource.logs().properties(extra).bootstrapServers("kafka:9093").groupId("g")
                .topic("logs").encoding(OtlpEncoding.OTLP_JSON).clientProperties();

        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", "kafka:9093").containsEntry("group.id", "g")
                .containsEntry("client.id.prefix", "g-logs");
    }

    @Test
    void buildsAnUnboundedSourceUnlessBounded() {
        KafkaSource<TelemetryEnvelope> unbounded = OtlpKafkaSource.spans().build();
        KafkaSource<TelemetryEnvelope> bounded = OtlpKafkaSource.spans().bounded(OffsetsInitializer.latest()).build();

        assertThat(unbounded.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(bounded.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
        assertThat(unbounded.getProducedType().getTypeClass()).isEqualTo(TelemetryEnvelope.class);
    }

    @Test
    @SuppressWarnings("deprecation")
    void startingOffsetsParse() {
        assertThat(StartingOffsets.parse("committed").getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.EARLIEST);
        assertThat(StartingOffsets.parse(" Earliest ").getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.EARLIEST);
        assertThat(StartingOffsets.parse("latest").getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.LATEST);
        assertThatThrownBy(() -> StartingOffsets.parse("yesterday")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("committed, earliest or latest");
    }

    @Test
    void theDeadLetterSinkAllowsLargeMessagesUnlessTold() {
        assertThat(DeadLetterSink.builder().clientProperties()).containsEntry("max.request.size", "16777216")
                .containsEntry("bootstrap.servers", "localhost:9092");
        Properties extra = new Properties();
        extra.setProperty("max.request.size", "1000");
        assertThat(DeadLetterSink.builder().properties(extra).bootstrapServers("k:1").clientProperties())
                .containsEntry("max.request.size", "1000").containsEntry("bootstrap.servers", "k:1");
        assertThat(DeadLetterSink.builder().topic("dlq").build()).isNotNull();
    }
}
