package org.correlationstation.core.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.testdata.OtlpMessages;
import org.junit.jupiter.api.Test;

/** SPEC §2: ids are 16/8 bytes or absent (empty or all-zero); any other length makes the message malformed. */
class OtlpDecoderIdsTest {
    private static final OtlpDecoder DECODER = new OtlpDecoder("dev", 1 << 20);
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void emptyAndZeroIdsAreNoIds() throws Exception {
        assertThat(Ids.traceId(ByteString.EMPTY)).isNull();
        assertThat(Ids.traceId(ByteString.copyFrom(new byte[16]))).isNull();
        assertThat(Ids.spanId(ByteString.EMPTY)).isNull();
        assertThat(Ids.spanId(ByteString.copyFrom(new byte[8]))).isNull();
    }

    @Test
    void aZeroParentIdOnASpanIsNone() throws Exception {
        Span span = span().setParentSpanId(ByteString.copyFrom(new byte[8])).build();

        SpanEvent e = DECODER.decodeSpans(traces(span).toByteArray(), OtlpEncoding.OTLP_PROTO).get(0);

        assertThat(e.traceId).isEqualTo(TRACE);
        assertThat(e.spanId).isEqualTo(SPAN);
        assertThat(e.parentSpanId).isNull();
    }

    @Test
    void logsWithZeroOrEmptyTraceIdsAreFine() throws Exception {
        LogRecord zero = LogRecord.newBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
                .setSpanId(ByteString.copyFrom(new byte[8])).setTimeUnixNano(1).build();
        LogRecord empty = LogRecord.newBuilder().setTimeUnixNano(2).build();

        List<LogEvent> logs = DECODER.decodeLogs(logs(zero, empty).toByteArray(), OtlpEncoding.OTLP_PROTO, 0L);

        assertThat(logs).hasSize(2).allSatisfy(l -> {
            assertThat(l.traceId).isNull();
            assertThat(l.spanId).isNull();
        });
        String json = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"3\","
                + "\"traceId\":\"00000000000000000000000000000000\",\"spanId\":\"\"}]}]}]}";
        assertThat(DECODER.decodeLogs(utf8(json), OtlpEncoding.OTLP_JSON, 0L).get(0).traceId).isNull();
    }

    @Test
    void idsAreLowercaseHex() throws Exception {
        String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + TRACE.toUpperCase()
                + "\",\"spanId\":\"" + SPAN.toUpperCase() + "\",\"name\":\"x\"}]}]}]}";

        SpanEvent e = DECODER.decodeSpans(utf8(json), OtlpEncoding.OTLP_JSON).get(0);

        assertThat(e.traceId).isEqualTo(TRACE);
        assertThat(e.spanId).isEqualTo(SPAN);
    }

    @Test
    void wrongLengthProtobufIdsMakeTheMessageMalformed() {
        assertMalformed(traces(span().setTraceId(ByteString.copyFrom(new byte[8])).build()).toByteArray(),
                OtlpEncoding.OTLP_PROTO, MalformedOtlpException.INVALID_TRACE_ID);
        assertMalformed(traces(span().setSpanId(ByteString.copyFrom(new byte[4])).build()).toByteArray(),
                OtlpEncoding.OTLP_PROTO, MalformedOtlpException.INVALID_SPAN_ID);
        assertMalformed(traces(span().setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4})).build()).toByteArray(),
                OtlpEncoding.OTLP_PROTO, MalformedOtlpException.INVALID_SPAN_ID);

        LogRecord shortTrace = LogRecord.newBuilder().setTraceId(ByteString.copyFrom(new byte[8])).build();
        assertThatThrownBy(() -> DECODER.decodeLogs(logs(shortTrace).toByteArray(), OtlpEncoding.OTLP_PROTO, 0L))
                .isInstanceOfSatisfying(MalformedOtlpException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedOtlpException.INVALID_TRACE_ID));
    }

    @Test
    void wrongLengthOrNonHexJsonIdsMakeTheMessageMalformed() {
        assertMalformed(spanJson("\"traceId\":\"" + SPAN + "\""), OtlpEncoding.OTLP_JSON,
                MalformedOtlpException.INVALID_TRACE_ID);
        assertMalformed(spanJson("\"traceId\":\"" + TRACE + "0\""), OtlpEncoding.OTLP_JSON,
                MalformedOtlpException.INVALID_TRACE_ID);
        assertMalformed(spanJson("\"traceId\":\"" + TRACE + "\",\"spanId\":\"00f067aa\""), OtlpEncoding.OTLP_JSON,
                MalformedOtlpException.INVALID_SPAN_ID);
        assertMalformed(spanJson("\"traceId\":\"" + TRACE + "\",\"span_id\":\"zzf067aa0ba902b7\""),
                OtlpEncoding.OTLP_JSON, MalformedOtlpException.INVALID_SPAN_ID);
        assertMalformed(spanJson("\"traceId\":\"" + TRACE + "\",\"parentSpanId\":\"AAECAwQFBgc=\""),
                OtlpEncoding.OTLP_JSON, MalformedOtlpException.INVALID_SPAN_ID);
    }

    /** A span outside any trace cannot be correlated or stored by Tempo: the message is malformed. */
    @Test
    void aSpanWithoutTraceIdIsMalformed() {
        assertMalformed(traces(span().setTraceId(ByteString.copyFrom(new byte[16])).build()).toByteArray(),
                OtlpEncoding.OTLP_PROTO, MalformedOtlpException.INVALID_TRACE_ID);
    }

    /** OTLP calls a span without span id invalid, and it could not be deduplicated: malformed, like the above. */
    @Test
    void aSpanWithoutSpanIdIsMalformed() {
        assertMalformed(traces(span().setSpanId(ByteString.copyFrom(new byte[8])).build()).toByteArray(),
                OtlpEncoding.OTLP_PROTO, MalformedOtlpException.INVALID_SPAN_ID);
        assertMalformed(traces(span().clearSpanId().build()).toByteArray(),
                OtlpEncoding.OTLP_PROTO, MalformedOtlpException.INVALID_SPAN_ID);
        assertMalformed(spanJson("\"traceId\":\"" + TRACE + "\",\"spanId\":\"0000000000000000\""),
                OtlpEncoding.OTLP_JSON, MalformedOtlpException.INVALID_SPAN_ID);
    }

    static void assertMalformed(byte[] message, OtlpEncoding encoding, String reason) {
        assertThatThrownBy(() -> DECODER.decodeSpans(message, encoding))
                .isInstanceOfSatisfying(MalformedOtlpException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.describe()).startsWith(reason + ": ");
                });
    }

    private static byte[] spanJson(String ids) {
        return utf8("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" + ids + ",\"name\":\"x\"}]}]}]}");
    }

    private static Span.Builder span() {
        return Span.newBuilder().setTraceId(OtlpMessages.id(TRACE)).setSpanId(OtlpMessages.id(SPAN)).setName("x");
    }

    private static TracesData traces(Span span) {
        return TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
    }

    private static LogsData logs(LogRecord... records) {
        return LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records)))).build();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
