package org.correlationstation.core.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.junit.jupiter.api.Test;

/** The wire forms of the same data decode to the same events, and to the events they were made from. */
class OtlpDecoderRoundTripTest {
    private static final OtlpDecoder DECODER = new OtlpDecoder("dev", 4 << 20);
    private static final List<GeneratedTrace> TRACES = new TraceGenerator(42).generate(20);

    @Test
    void spansDecodeTheSameFromProtoAndJson() throws Exception {
        List<SpanEvent> expected = GeneratedTrace.allSpans(TRACES);
        TracesData data = OtlpMessages.traces(expected);

        List<SpanEvent> fromProto = DECODER.decodeSpans(data.toByteArray(), OtlpEncoding.OTLP_PROTO);
        List<SpanEvent> fromJson = DECODER.decodeSpans(OtlpMessages.toJson(data), OtlpEncoding.OTLP_JSON);
        List<SpanEvent> fromSnakeCase = DECODER.decodeSpans(OtlpMessages.toSnakeCaseJson(data), OtlpEncoding.OTLP_JSON);

        assertThat(fromProto).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(fromJson).containsExactlyElementsOf(fromProto);
        assertThat(fromSnakeCase).containsExactlyElementsOf(fromProto);
        assertThat(fromProto).anyMatch(s -> s.error).anyMatch(s -> s.parentSpanId == null);
    }

    @Test
    void logsDecodeTheSameFromProtoAndJson() throws Exception {
        List<LogEvent> expected = GeneratedTrace.allLogsWithUntraced(TRACES);
        LogsData data = OtlpMessages.logs(expected);

        List<LogEvent> fromProto = DECODER.decodeLogs(data.toByteArray(), OtlpEncoding.OTLP_PROTO, 0L);
        List<LogEvent> fromJson = DECODER.decodeLogs(OtlpMessages.toJson(data), OtlpEncoding.OTLP_JSON, 0L);
        List<LogEvent> fromSnakeCase = DECODER.decodeLogs(OtlpMessages.toSnakeCaseJson(data), OtlpEncoding.OTLP_JSON, 0L);

        assertThat(fromProto).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(fromJson).containsExactlyElementsOf(fromProto);
        assertThat(fromSnakeCase).containsExactlyElementsOf(fromProto);
        assertThat(fromProto).anyMatch(l -> l.traceId == null)
                .anyMatch(l -> l.traceId != null && l.spanId == null)
                .anyMatch(LogEvent::isError);
    }

    @Test
    void jsonIsWhatTheCollectorWrites() {
        SpanEvent span = GeneratedTrace.allSpans(TRACES).get(0);
        String json = new String(OtlpMessages.toJson(OtlpMessages.traces(List.of(span))));
        String snake = new String(OtlpMessages.toSnakeCaseJson(OtlpMessages.traces(List.of(span))));

        assertThat(json).contains("\"traceId\":\"" + span.traceId + "\"", "\"spanId\":\"" + span.spanId + "\"",
                "\"kind\":2", "\"startTimeUnixNano\":\"" + span.startTimeNanos + "\"");
        assertThat(snake).contains("\"trace_id\":\"" + span.traceId + "\"", "\"kind\":\"SPAN_KIND_SERVER\"");
    }
}
