package org.correlationstation.connectors.testutil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.correlationstation.connectors.kafka.DeadLetter;
import org.correlationstation.connectors.kafka.DeadLetterSink;
import org.correlationstation.connectors.kafka.OtlpKafkaSource;
import org.correlationstation.connectors.kafka.OtlpSpansDeserializationSchema;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** OTLP on a real broker: produced, read by a real consumer and by the Flink Kafka source, dead-lettered. */
class EmbeddedKafkaRoundTripTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] GARBAGE = "this is not OTLP".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) kafka.close();
    }

    @Test
    void producedRecordsAreConsumedFromEveryPartition() throws Exception {
        kafka.createTopic("plain", 2);
        for (int i = 0; i < 4; i++) kafka.produce("plain", bytes("k" + i), bytes("v" + i));

        List<ConsumerRecord<byte[], byte[]>> records = kafka.consumeAll("plain", 4, TIMEOUT);
        List<ConsumerRecord<byte[], byte[]>> committed = kafka.consumeAll("plain", 4, TIMEOUT, true);

        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("v0", "v1", "v2", "v3");
        assertThat(committed).hasSize(4);
        assertThatThrownBy(() -> kafka.consumeAll("plain", 5, Duration.ofMillis(500)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("read 4 of 5");
    }

    @Test
    void recordsReadFromKafkaDecode() throws Exception {
        kafka.createTopic("decode_spans", 1);
        List<SpanEvent> spans = GeneratedTrace.allSpans(new TraceGenerator(5).generate(2));
        kafka.produce("decode_spans", null, OtlpMessages.traces(spans).toByteArray());
        RecordMetadata bad = kafka.produce("decode_spans", bytes("key"), GARBAGE);

        OtlpSpansDeserializationSchema schema =
                new OtlpSpansDeserializationSchema(new OtlpDecoder("dev", 1 << 20), OtlpEncoding.OTLP_PROTO);
        List<TelemetryEnvelope> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll("decode_spans", 2, TIMEOUT)) {
            schema.deserialize(r, new ListCollector<>(out));
        }

        assertThat(out).filteredOn(e -> e.spans != null).flatExtracting(e -> List.of(e.spans))
                .containsExactlyInAnyOrderElementsOf(spans);
        assertThat(out).filteredOn(e -> e.deadLetter != null).singleElement().satisfies(e -> {
            assertThat(e.deadLetter.value).isEqualTo(GARBAGE);
            assertThat(e.deadLetter.key).isEqualTo(bytes("key"));
            assertThat(e.deadLetter.sourceOffset).isEqualTo(bad.offset());
            assertThat(e.deadLetter.timestamp).isEqualTo(bad.timestamp());
        });
    }

    @Test
    void aFlinkJobReadsTheSourceAndDeadLettersWhatItCannotDecode() throws Exception {
        kafka.createTopic("job_spans", 2);
        kafka.createTopic("job_dlq", 1);
        List<GeneratedTrace> traces = new TraceGenerator(9).generate(4);
        for (GeneratedTrace t : traces) {
            kafka.produce("job_spans", bytes(t.traceId()), OtlpMessages.toJson(OtlpMessages.traces(t.spans())));
        }
        RecordMetadata bad = kafka.produce("job_spans", null, GARBAGE);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<TelemetryEnvelope> envelopes = env.fromSource(OtlpKafkaSource.spans()
                        .bootstrapServers(kafka.bootstrapServers()).topic("job_spans").groupId("round-trip")
                        .encoding(OtlpEncoding.OTLP_JSON).startingOffsets("earliest")
                        .bounded(OffsetsInitializer.latest()).build(),
                WatermarkStrategy.noWatermarks(), "spans");
        envelopes.filter(e -> e.deadLetter != null)
                .map(e -> e.deadLetter, TypeInformation.of(DeadLetter.class))
                .sinkTo(DeadLetterSink.builder().bootstrapServers(kafka.bootstrapServers()).topic("job_dlq").build());
        List<TelemetryEnvelope> read = new ArrayList<>();
        try (CloseableIterator<TelemetryEnvelope> it = envelopes.executeAndCollect("round trip")) {
            it.forEachRemaining(read::add);
        }

        assertThat(read).filteredOn(e -> e.spans != null).flatExtracting(e -> List.of(e.spans))
                .containsExactlyInAnyOrderElementsOf(GeneratedTrace.allSpans(traces));
        assertThat(read).filteredOn(e -> e.deadLetter != null).hasSize(1);

        ConsumerRecord<byte[], byte[]> dead = kafka.consumeAll("job_dlq", 1, TIMEOUT).get(0);
        assertThat(dead.value()).isEqualTo(GARBAGE);
        assertThat(dead.key()).isNull();
        assertThat(EmbeddedKafka.header(dead, "dlq.reason")).startsWith(MalformedOtlpException.MALFORMED_JSON + ": ");
        assertThat(EmbeddedKafka.header(dead, "dlq.source.topic")).isEqualTo("job_spans");
        assertThat(EmbeddedKafka.header(dead, "dlq.source.partition")).isEqualTo(Integer.toString(bad.partition()));
        assertThat(EmbeddedKafka.header(dead, "dlq.source.offset")).isEqualTo(Long.toString(bad.offset()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
