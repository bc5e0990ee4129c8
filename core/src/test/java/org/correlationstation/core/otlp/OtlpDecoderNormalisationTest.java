package org.correlationstation.core.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.testdata.OtlpMessages;
import org.junit.jupiter.api.Test;

/** SPEC §2: service, env, host, event time, severity and body of decoded events. */
class OtlpDecoderNormalisationTest {
    private static final OtlpDecoder DECODER = new OtlpDecoder("dev", 1 << 20);
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void serviceDefaultsToUnknownService() throws Exception {
        assertThat(span(Resource.getDefaultInstance()).service).isEqualTo("unknown_service");
        assertThat(log(Resource.getDefaultInstance(), LogRecord.newBuilder().setTimeUnixNano(1)).service)
                .isEqualTo("unknown_service");
        assertThat(span(resource("service.name", "checkout")).service).isEqualTo("checkout");
    }

    @Test
    void envPrefersTheCurrentSemanticConventionThenTheOldOneThenTheDefault() throws Exception {
        assertThat(span(resource("deployment.environment", "old", "deployment.environment.name", "new")).env)
                .isEqualTo("new");
        assertThat(span(resource("deployment.environment", "old")).env).isEqualTo("old");
        assertThat(span(resource("service.name", "checkout")).env).isEqualTo("dev");
        assertThat(log(resource("deployment.environment", "old"), LogRecord.newBuilder()).env).isEqualTo("old");
    }

    @Test
    void hostComesFromTheResource() throws Exception {
        assertThat(log(resource("host.name", "web-1"), LogRecord.newBuilder()).host).isEqualTo("web-1");
        assertThat(log(Resource.getDefaultInstance(), LogRecord.newBuilder()).host).isNull();
    }

    @Test
    void logTimeIsTimeElseObservedTimeElseTheTransportTimestamp() throws Exception {
        Resource r = Resource.getDefaultInstance();
        assertThat(log(r, LogRecord.newBuilder().setTimeUnixNano(5_000).setObservedTimeUnixNano(9_000)).timeNanos)
                .isEqualTo(5_000);
        assertThat(log(r, LogRecord.newBuilder().setObservedTimeUnixNano(9_000)).timeNanos).isEqualTo(9_000);
        LogEvent fallback = log(r, LogRecord.newBuilder());
        assertThat(fallback.timeNanos).isEqualTo(TRANSPORT_MILLIS * 1_000_000L);
        assertThat(fallback.eventTimeMillis()).isEqualTo(TRANSPORT_MILLIS);
    }

    @Test
    void aSpansEventTimeIsItsEnd() throws Exception {
        SpanEvent s = span(Resource.getDefaultInstance());
        assertThat(s.startTimeNanos).isEqualTo(1_000_000_000L);
        assertThat(s.endTimeNanos).isEqualTo(3_500_000_000L);
        assertThat(s.eventTimeMillis()).isEqualTo(3_500L);
    }

    @Test
    void aSpanThatEndsBeforeItStartsEndsAtItsStart() throws Exception {
        Span span = baseSpan().setEndTimeUnixNano(0).build();
        SpanEvent s = DECODER.spans(traces(Resource.getDefaultInstance(), span)).get(0);
        assertThat(s.endTimeNanos).isEqualTo(s.startTimeNanos);
    }

    @Test
    void errorStatusMarksAnErrorSpan() throws Exception {
        Span span = baseSpan().setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)).build();
        assertThat(DECODER.spans(traces(Resource.getDefaultInstance(), span)).get(0).error).isTrue();
        assertThat(span(Resource.getDefaultInstance()).error).isFalse();
    }

    @Test
    void aStringBodyIsKeptAndAnyOtherIsCompactJson() throws Exception {
        Resource r = Resource.getDefaultInstance();
        assertThat(log(r, LogRecord.newBuilder().setBody(string("paid {ok}"))).body).isEqualTo("paid {ok}");
        AnyValue structured = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(kv("user", AnyValue.newBuilder().setIntValue(42).build()))
                .addValues(kv("tags", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(string("a")).addValues(AnyValue.newBuilder().setBoolValue(true))).build()))
                .addValues(kv("ratio", AnyValue.newBuilder().setDoubleValue(0.5).build())))
                .build();
        assertThat(log(r, LogRecord.newBuilder().setBody(structured)).body)
                .isEqualTo("{\"user\":42,\"tags\":[\"a\",true],\"ratio\":0.5}");
        assertThat(log(r, LogRecord.newBuilder()).body).isEmpty();
    }

    @Test
    void aTextOnlySeverityIsMapped() throws Exception {
        Resource r = Resource.getDefaultInstance();
        LogEvent error = log(r, LogRecord.newBuilder().setSeverityText("error"));
        assertThat(error.severityNumber).isEqualTo(Severity.ERROR);
        assertThat(error.severityText).isEqualTo("error");
        assertThat(error.isError()).isTrue();
        assertThat(log(r, LogRecord.newBuilder().setSeverityText("Warning")).severityNumber).isEqualTo(Severity.WARN);
        assertThat(log(r, LogRecord.newBuilder().setSeverityText("CRITICAL")).severityNumber).isEqualTo(Severity.FATAL);
        assertThat(log(r, LogRecord.newBuilder().setSeverityText("notice")).severityNumber).isZero();
        assertThat(log(r, LogRecord.newBuilder()).severityText).isNull();
    }

    @Test
    void theSeverityNumberWinsOverTheText() throws Exception {
        LogEvent l = log(Resource.getDefaultInstance(), LogRecord.newBuilder()
                .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_ERROR2).setSeverityText("INFO"));
        assertThat(l.severityNumber).isEqualTo(18);
        assertThat(l.isError()).isTrue();
    }

    @Test
    void enumsByNameInJsonAreRead() throws Exception {
        String json = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"time_unix_nano\":\"7\","
                + "\"severity_number\":\"SEVERITY_NUMBER_FATAL\",\"body\":{\"stringValue\":\"boom\"}}]}]}]}";
        LogEvent l = DECODER.decodeLogs(json.getBytes(StandardCharsets.UTF_8), OtlpEncoding.OTLP_JSON, 0L).get(0);
        assertThat(l.severityNumber).isEqualTo(Severity.FATAL);
        assertThat(l.timeNanos).isEqualTo(7);
        assertThat(l.body).isEqualTo("boom");
    }

    @Test
    void aLegacyTraceIdAttributeIsKept() throws Exception {
        Span span = baseSpan().addAttributes(OtlpMessages.attribute("legacy.trace_id", "req-42")).build();
        assertThat(DECODER.spans(traces(Resource.getDefaultInstance(), span)).get(0).legacyTraceId).isEqualTo("req-42");
        LogEvent l = log(Resource.getDefaultInstance(),
                LogRecord.newBuilder().addAttributes(OtlpMessages.attribute("legacy.trace_id", "req-42")));
        assertThat(l.legacyTraceId).isEqualTo("req-42");
    }

    private static final long TRANSPORT_MILLIS = 1_795_000_000_123L;

    private static SpanEvent span(Resource resource) throws MalformedOtlpException {
        List<SpanEvent> spans = DECODER.spans(traces(resource, baseSpan().build()));
        assertThat(spans).hasSize(1);
        return spans.get(0);
    }

    private static LogEvent log(Resource resource, LogRecord.Builder record) throws MalformedOtlpException {
        LogsData data = LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource)
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record))).build();
        List<LogEvent> logs = DECODER.decodeLogs(data.toByteArray(), OtlpEncoding.OTLP_PROTO, TRANSPORT_MILLIS);
        assertThat(logs).hasSize(1);
        return logs.get(0);
    }

    private static Span.Builder baseSpan() {
        return Span.newBuilder().setTraceId(OtlpMessages.id(TRACE)).setSpanId(OtlpMessages.id(SPAN)).setName("charge")
                .setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(3_500_000_000L);
    }

    private static TracesData traces(Resource resource, Span span) {
        return TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
    }

    private static Resource resource(String... keyValues) {
        Resource.Builder r = Resource.newBuilder();
        for (int i = 0; i < keyValues.length; i += 2) r.addAttributes(OtlpMessages.attribute(keyValues[i], keyValues[i + 1]));
        return r.build();
    }

    private static KeyValue kv(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static AnyValue string(String s) {
        return AnyValue.newBuilder().setStringValue(s).build();
    }
}
