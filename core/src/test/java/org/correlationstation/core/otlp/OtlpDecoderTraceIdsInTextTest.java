package org.correlationstation.core.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.List;
import org.correlationstation.core.logtext.TraceIdPatterns;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.testdata.OtlpMessages;
import org.junit.jupiter.api.Test;

/** Issue 24: a log without trace context takes the trace id its body or string attributes name. */
class OtlpDecoderTraceIdsInTextTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String OTHER = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final String OWN_SPAN = "b7ad6b7169203331";
    private static final OtlpDecoder DECODER = new OtlpDecoder("dev", 4 << 20,
            TraceIdPatterns.compile(TraceIdPatterns.DEFAULT_JSON, 4096));

    @Test
    void aBodyWithTraceIdEqualsGivesTheLogItsTrace() throws Exception {
        LogEvent log = decode(record("charge declined trace_id=" + TRACE.toUpperCase() + " amount=12"));

        assertThat(log.traceId).isEqualTo(TRACE);
        assertThat(log.spanId).isNull();
        assertThat(log.traceIdSource).isEqualTo(LogEvent.TRACE_ID_FROM_BODY);
        assertThat(log.body).as("the body stays as it was").isEqualTo("charge declined trace_id=" + TRACE.toUpperCase() + " amount=12");
    }

    @Test
    void aTraceparentInTheBodyGivesTheSpanToo() throws Exception {
        LogEvent log = decode(record("outbound call traceparent=00-" + TRACE + "-" + SPAN + "-01"));

        assertThat(log.traceId).isEqualTo(TRACE);
        assertThat(log.spanId).isEqualTo(SPAN);
        assertThat(log.traceIdSource).isEqualTo("body");
    }

    /** A structured body is text as JSON (as Loki gets it), so a "traceId" key in it counts. */
    @Test
    void aStructuredBodyIsSearchedAsJson() throws Exception {
        AnyValue body = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(OtlpMessages.attribute("msg", "declined"))
                .addValues(OtlpMessages.attribute("traceId", TRACE))).build();

        LogEvent log = decode(LogRecord.newBuilder().setTimeUnixNano(1).setBody(body).build());

        assertThat(log.traceId).isEqualTo(TRACE);
    }

    @Test
    void realTraceContextWinsOverTheBody() throws Exception {
        LogRecord record = record("retrying trace_id=" + OTHER + " traceparent=00-" + OTHER + "-" + SPAN + "-01").toBuilder()
                .setTraceId(OtlpMessages.id(TRACE)).setSpanId(OtlpMessages.id(OWN_SPAN)).build();

        LogEvent log = decode(record);

        assertThat(log.traceId).isEqualTo(TRACE);
        assertThat(log.spanId).isEqualTo(OWN_SPAN);
        assertThat(log.traceIdSource).isNull();
    }

    @Test
    void theFirstIdOfTheBodyWins() throws Exception {
        LogEvent log = decode(record("caused by trace_id=" + OTHER + " while handling traceparent 00-" + TRACE + "-" + SPAN + "-01"));

        assertThat(log.traceId).isEqualTo(OTHER);
        assertThat(log.spanId).isNull();
    }

    @Test
    void theBodyComesBeforeAttributesAndAttributesInTheirOrder() throws Exception {
        LogRecord both = record("trace_id=" + TRACE).toBuilder()
                .addAttributes(OtlpMessages.attribute("request", "trace_id=" + OTHER)).build();
        assertThat(decode(both).traceId).isEqualTo(TRACE);

        LogRecord attributesOnly = record("charge declined").toBuilder()
                .addAttributes(OtlpMessages.attribute("http.method", "POST"))
                .addAttributes(OtlpMessages.attribute("zz.first", "trace_id=" + OTHER))
                .addAttributes(OtlpMessages.attribute("aa.second", "trace_id=" + TRACE)).build();
        LogEvent log = decode(attributesOnly);
        assertThat(log.traceId).isEqualTo(OTHER);
        assertThat(log.traceIdSource).isEqualTo("body");
        assertThat(log.attributes).containsEntry("zz.first", "trace_id=" + OTHER);
    }

    @Test
    void onlyStringAttributesAreSearched() throws Exception {
        AnyValue map = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(OtlpMessages.attribute("traceId", TRACE))).build();
        LogRecord record = record("charge declined").toBuilder()
                .addAttributes(KeyValue.newBuilder().setKey("context").setValue(map)).build();

        LogEvent log = decode(record);

        assertThat(log.traceId).isNull();
        assertThat(log.attributes).containsEntry("context", "{\"traceId\":\"" + TRACE + "\"}");
    }

    @Test
    void anAllZeroIdInTheBodyLeavesTheLogUncorrelated() throws Exception {
        LogEvent log = decode(record("trace_id=00000000000000000000000000000000"));

        assertThat(log.traceId).isNull();
        assertThat(log.traceIdSource).isNull();
    }

    /** A 1 MB body is searched in its first LOG_TRACE_ID_SCAN_BYTES only. */
    @Test
    void aMegabyteBodyIsSearchedOnlyWithinTheBound() throws Exception {
        String filler = "x".repeat(1 << 20);
        LogEvent inside = decode(record("trace_id=" + TRACE + " " + filler));
        LogEvent beyond = decode(record("x".repeat(4096) + " trace_id=" + TRACE + " " + filler));

        assertThat(inside.traceId).isEqualTo(TRACE);
        assertThat(beyond.traceId).isNull();
        assertThat(beyond.body).hasSize(4096 + 1 + 41 + 1 + (1 << 20));
    }

    @Test
    void aRecordsOwnSpanIdWithoutTraceIdIsKeptUnlessTheTextNamesOne() throws Exception {
        LogRecord spanOnly = record("trace_id=" + TRACE).toBuilder().setSpanId(OtlpMessages.id(OWN_SPAN)).build();
        assertThat(decode(spanOnly).spanId).isEqualTo(OWN_SPAN);

        LogRecord both = record("00-" + TRACE + "-" + SPAN + "-01").toBuilder().setSpanId(OtlpMessages.id(OWN_SPAN)).build();
        assertThat(decode(both).spanId).isEqualTo(SPAN);
    }

    @Test
    void theDecoderWithoutPatternsAndAnEmptyListSearchNothing() throws Exception {
        byte[] message = logs(record("trace_id=" + TRACE)).toByteArray();
        OtlpDecoder plain = new OtlpDecoder("dev", 4 << 20);
        OtlpDecoder off = new OtlpDecoder("dev", 4 << 20, TraceIdPatterns.compile("[]", 4096));

        assertThat(plain.decodeLogs(message, OtlpEncoding.OTLP_PROTO, 0L).get(0).traceId).isNull();
        assertThat(off.decodeLogs(message, OtlpEncoding.OTLP_PROTO, 0L).get(0).traceId).isNull();
    }

    @Test
    void worksForOtlpJsonToo() throws Exception {
        byte[] json = OtlpMessages.toJson(logs(record("trace_id: " + TRACE)));

        assertThat(DECODER.decodeLogs(json, OtlpEncoding.OTLP_JSON, 0L).get(0).traceId).isEqualTo(TRACE);
    }

    private static LogEvent decode(LogRecord record) throws Exception {
        List<LogEvent> logs = DECODER.decodeLogs(logs(record).toByteArray(), OtlpEncoding.OTLP_PROTO, 0L);
        assertThat(logs).hasSize(1);
        return logs.get(0);
    }

    private static LogRecord record(String body) {
        return LogRecord.newBuilder().setTimeUnixNano(1_800_000_000_000_000_000L)
                .setBody(AnyValue.newBuilder().setStringValue(body)).build();
    }

    private static LogsData logs(LogRecord record) {
        return LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record))).build();
    }
}
