package org.correlationstation.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.junit.jupiter.api.Test;

class OtlpDeserializationSchemaTest {
    private static final OtlpDecoder DECODER = new OtlpDecoder("dev", 64 * 1024);
    private static final List<GeneratedTrace> TRACES = new TraceGenerator(11).generate(3);
    private static final long RECORD_TIME = 1_795_000_000_000L;

    @Test
    void aTracesMessageBecomesOneEnvelopePerTrace() {
        List<SpanEvent> spans = GeneratedTrace.allSpans(TRACES);
        byte[] value = OtlpMessages.traces(spans).toByteArray();

        List<TelemetryEnvelope> out = deserialize(new OtlpSpansDeserializationSchema(DECODER, OtlpEncoding.OTLP_PROTO),
                record("otlp_spans", "ignored key", value));

        assertThat(spansOf(out)).containsExactlyInAnyOrderElementsOf(spans);
        assertThat(out).hasSize(TRACES.size()).allSatisfy(e -> {
            assertThat(e.spans).extracting(s -> s.traceId).containsOnly(e.spans[0].traceId);
            assertThat(e.logs).isNull();
            assertThat(e.deadLetter).isNull();
        });
        assertThat(out).extracting(e -> e.spans[0].traceId).doesNotHaveDuplicates();
    }

    @Test
    void theOriginalMessageIsForwardedUnchangedWhenAsked() throws Exception {
        List<SpanEvent> spans = GeneratedTrace.allSpans(TRACES);
        TracesData data = OtlpMessages.traces(spans);
        byte[] proto = data.toByteArray();

        List<TelemetryEnvelope> fromProto = deserialize(
                new OtlpSpansDeserializationSchema(DECODER, OtlpEncoding.OTLP_PROTO, true), record("otlp_spans", null, proto));
        assertThat(fromProto).filteredOn(e -> e.traces != null).singleElement().satisfies(e -> {
            assertThat(e.traces.tracesData).isEqualTo(proto);
            assertThat(e.traces.spanCount).isEqualTo(spans.size());
        });

        List<TelemetryEnvelope> fromJson = deserialize(new OtlpSpansDeserializationSchema(DECODER, OtlpEncoding.OTLP_JSON, true),
                record("otlp_spans", null, OtlpMessages.toJson(data)));
        assertThat(fromJson).filteredOn(e -> e.traces != null).singleElement()
                .satisfies(e -> assertThat(TracesData.parseFrom(e.traces.tracesData)).isEqualTo(data));
        assertThat(spansOf(fromJson)).hasSize(spans.size());
    }

    @Test
    void aLogsMessageBecomesOneEnvelopePerLog() {
        List<LogEvent> logs = GeneratedTrace.allLogsWithUntraced(TRACES);
        byte[] value = OtlpMessages.toJson(OtlpMessages.logs(logs));

        List<TelemetryEnvelope> out = deserialize(new OtlpLogsDeserializationSchema(DECODER, OtlpEncoding.OTLP_JSON),
                record("otlp_logs", null, value));

        assertThat(logsOf(out)).containsExactlyInAnyOrderElementsOf(logs);
        assertThat(out).allSatisfy(e -> assertThat(e.logs).extracting(l -> l.traceId).containsOnly(e.logs[0].traceId));
    }

    @Test
    void aLogWithoutTimeTakesTheRecordTimestamp() {
        LogEvent log = GeneratedTrace.allLogs(TRACES).get(0);
        LogsData.Builder data = OtlpMessages.logs(List.of(log)).toBuilder();
        data.getResourceLogsBuilder(0).getScopeLogsBuilder(0).getLogRecordsBuilder(0)
                .clearTimeUnixNano().clearObservedTimeUnixNano();
        byte[] value = data.build().toByteArray();

        List<TelemetryEnvelope> out = deserialize(new OtlpLogsDeserializationSchema(DECODER, OtlpEncoding.OTLP_PROTO),
                record("otlp_logs", null, value));

        assertThat(logsOf(out)).singleElement().satisfies(l -> assertThat(l.eventTimeMillis()).isEqualTo(RECORD_TIME));
    }

    @Test
    void anUndecodableRecordBecomesOneDeadLetterWithItsBytesAndCoordinates() {
        byte[] key = {0, 1, 2, 3};
        byte[] value = "definitely not protobuf".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("otlp_spans", 3, 1234L, RECORD_TIME,
                TimestampType.CREATE_TIME, key.length, value.length, key, value, new RecordHeaders(), Optional.empty());

        List<TelemetryEnvelope> out = deserialize(new OtlpSpansDeserializationSchema(DECODER, OtlpEncoding.OTLP_PROTO), record);

        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.spans).isNull();
            DeadLetter d = e.deadLetter;
            assertThat(d.key).isSameAs(key).containsExactly(0, 1, 2, 3);
            assertThat(d.value).isSameAs(value);
            assertThat(d.reason).isEqualTo(MalformedOtlpException.MALFORMED_PROTO);
            assertThat(d.detail).startsWith("malformed_proto: not a TracesData protobuf");
            assertThat(d.sourceTopic).isEqualTo("otlp_spans");
            assertThat(d.sourcePartition).isEqualTo(3);
            assertThat(d.sourceOffset).isEqualTo(1234L);
            assertThat(d.timestamp).isEqualTo(RECORD_TIME);
            assertThat(d.sink).isNull();
        });
    }

    @Test
    void aMessageWithOneBadIdIsDeadLetteredWhole() {
        List<SpanEvent> spans = GeneratedTrace.allSpans(TRACES);
        TracesData.Builder data = OtlpMessages.traces(spans).toBuilder();
        data.getResourceSpansBuilder(0).getScopeSpansBuilder(0).getSpansBuilder(0).setSpanId(ByteString.copyFrom(new byte[4]));
        byte[] value = data.build().toByteArray();

        List<TelemetryEnvelope> out = deserialize(new OtlpSpansDeserializationSchema(DECODER, OtlpEncoding.OTLP_PROTO),
                record("otlp_spans", null, value));

        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.deadLetter.reason).isEqualTo(MalformedOtlpException.INVALID_SPAN_ID);
            assertThat(e.deadLetter.value).isSameAs(value);
        });
    }

    @Test
    void tombstonesAndOversizedMessagesAreDeadLettered() {
        OtlpLogsDeserializationSchema logs = new OtlpLogsDeserializationSchema(DECODER, OtlpEncoding.OTLP_JSON);

        assertThat(deserialize(logs, record("otlp_logs", "k", null))).singleElement()
                .satisfies(e -> assertThat(e.deadLetter.reason).isEqualTo(MalformedOtlpException.MALFORMED_JSON))
                .satisfies(e -> assertThat(e.deadLetter.value).isNull());
        assertThat(deserialize(logs, record("otlp_logs", null, new byte[64 * 1024 + 1]))).singleElement()
                .satisfies(e -> assertThat(e.deadLetter.reason).isEqualTo(MalformedOtlpException.OVERSIZED));
    }

    @Test
    void anEmptyMessageYieldsNothing() {
        assertThat(deserialize(new OtlpSpansDeserializationSchema(DECODER, OtlpEncoding.OTLP_PROTO),
                record("otlp_spans", null, new byte[0]))).isEmpty();
    }

    @Test
    void aRecordWithoutTimestampFallsBackToReadTime() {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("otlp_logs", 0, 0L, new byte[0], new byte[0]);
        long before = System.currentTimeMillis();
        assertThat(OtlpLogsDeserializationSchema.transportTime(record)).isBetween(before, System.currentTimeMillis());
        assertThat(OtlpLogsDeserializationSchema.transportTime(record("t", null, new byte[0]))).isEqualTo(RECORD_TIME);
    }

    @Test
    void producesEnvelopes() {
        assertThat(new OtlpSpansDeserializationSchema(DECODER, OtlpEncoding.OTLP_PROTO).getProducedType().getTypeClass())
                .isEqualTo(TelemetryEnvelope.class);
    }

    static ConsumerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(topic, 0, 42L, RECORD_TIME, TimestampType.CREATE_TIME,
                k == null ? -1 : k.length, value == null ? -1 : value.length, k, value, new RecordHeaders(), Optional.empty());
    }

    static List<SpanEvent> spansOf(List<TelemetryEnvelope> envelopes) {
        return envelopes.stream().filter(e -> e.spans != null).flatMap(e -> Arrays.stream(e.spans)).toList();
    }

    static List<LogEvent> logsOf(List<TelemetryEnvelope> envelopes) {
        return envelopes.stream().filter(e -> e.logs != null).flatMap(e -> Arrays.stream(e.logs)).toList();
    }

    static List<TelemetryEnvelope> deserialize(OtlpDeserializationSchema schema, ConsumerRecord<byte[], byte[]> record) {
        List<TelemetryEnvelope> out = new ArrayList<>();
        schema.deserialize(record, new ListCollector<>(out));
        return out;
    }
}
