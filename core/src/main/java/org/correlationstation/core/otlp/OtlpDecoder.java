package org.correlationstation.core.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.correlationstation.core.logtext.TextIds;
import org.correlationstation.core.logtext.TraceIdPatterns;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.model.SpanEvent;

/**
 * Decodes OTLP {@code TracesData} / {@code LogsData} messages into normalised events (SPEC §1–2). A
 * message is decoded whole or not at all: one bad id makes the whole message malformed, so that it
 * goes to the DLQ unchanged rather than half-correlated.
 *
 * <p>A log without trace context may take the trace id its text names ({@link TraceIdPatterns}): the job
 * decodes with {@code LOG_TRACE_ID_PATTERNS}, so it works for logs a Collector put on Kafka as for any other.
 */
public final class OtlpDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String LEGACY_TRACE_ID_ATTRIBUTE = "legacy.trace_id";
    static final String UNKNOWN_SERVICE = "unknown_service";

    private final String defaultEnv;
    private final int maxMessageBytes;
    private final TraceIdPatterns traceIdPatterns;

    /** A decoder that takes trace ids from OTLP trace context only. */
    public OtlpDecoder(String defaultEnv, int maxMessageBytes) {
        this(defaultEnv, maxMessageBytes, TraceIdPatterns.NONE);
    }

    /**
     * @param defaultEnv the environment of resources that name none ({@code DEPLOYMENT_ENV})
     * @param maxMessageBytes larger messages are malformed (reason {@code oversized})
     * @param traceIdPatterns how a log without trace context finds its trace id in its text
     *     ({@code LOG_TRACE_ID_PATTERNS}); {@link TraceIdPatterns#NONE}: it does not
     */
    public OtlpDecoder(String defaultEnv, int maxMessageBytes, TraceIdPatterns traceIdPatterns) {
        this.defaultEnv = defaultEnv;
        this.maxMessageBytes = maxMessageBytes;
        this.traceIdPatterns = Objects.requireNonNull(traceIdPatterns, "traceIdPatterns");
    }

    public TracesData parseTraces(byte[] message, OtlpEncoding encoding) throws MalformedOtlpException {
        checkSize(message, encoding);
        if (encoding == OtlpEncoding.OTLP_JSON) return OtlpJson.parse(message, TracesData.newBuilder()).build();
        try {
            return TracesData.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedOtlpException(MalformedOtlpException.MALFORMED_PROTO,
                    "not a TracesData protobuf: " + OtlpJson.firstLine(e));
        }
    }

    public LogsData parseLogs(byte[] message, OtlpEncoding encoding) throws MalformedOtlpException {
        checkSize(message, encoding);
        if (encoding == OtlpEncoding.OTLP_JSON) return OtlpJson.parse(message, LogsData.newBuilder()).build();
        try {
            return LogsData.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedOtlpException(MalformedOtlpException.MALFORMED_PROTO,
                    "not a LogsData protobuf: " + OtlpJson.firstLine(e));
        }
    }

    public List<SpanEvent> decodeSpans(byte[] message, OtlpEncoding encoding) throws MalformedOtlpException {
        return spans(parseTraces(message, encoding));
    }

    /** @param transportTimestampMillis the Kafka record timestamp, the last fallback for a log's time */
    public List<LogEvent> decodeLogs(byte[] message, OtlpEncoding encoding, long transportTimestampMillis)
            throws MalformedOtlpException {
        return logs(parseLogs(message, encoding), transportTimestampMillis);
    }

    public List<SpanEvent> spans(TracesData data) throws MalformedOtlpException {
        List<SpanEvent> out = new ArrayList<>();
        for (ResourceSpans rs : data.getResourceSpansList()) {
            List<KeyValue> resource = rs.getResource().getAttributesList();
            String service = service(resource);
            String env = env(resource);
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    SpanEvent e = new SpanEvent();
                    e.traceId = Ids.traceId(span.getTraceId());
                    e.spanId = Ids.spanId(span.getSpanId());
                    e.parentSpanId = Ids.spanId(span.getParentSpanId());
                    if (e.traceId == null) {
                        throw new MalformedOtlpException(MalformedOtlpException.INVALID_TRACE_ID,
                                "span '" + span.getName() + "' has no trace id");
                    }
                    if (e.spanId == null) {
                        // OTLP calls it invalid; every delivery of it would also count again (no id to dedupe on).
                        throw new MalformedOtlpException(MalformedOtlpException.INVALID_SPAN_ID,
                                "span '" + span.getName() + "' has no span id");
                    }
                    e.name = span.getName();
                    e.service = service;
                    e.env = env;
                    e.startTimeNanos = span.getStartTimeUnixNano();
                    e.endTimeNanos = Math.max(span.getEndTimeUnixNano(), span.getStartTimeUnixNano());
                    e.error = span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR;
                    e.legacyTraceId = AnyValues.attribute(span.getAttributesList(), LEGACY_TRACE_ID_ATTRIBUTE);
                    out.add(e);
                }
            }
        }
        return out;
    }

    public List<LogEvent> logs(LogsData data, long transportTimestampMillis) throws MalformedOtlpException {
        List<LogEvent> out = new ArrayList<>();
        for (ResourceLogs rl : data.getResourceLogsList()) {
            List<KeyValue> resource = rl.getResource().getAttributesList();
            String service = service(resource);
            String env = env(resource);
            String host = AnyValues.attribute(resource, "host.name");
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord record : sl.getLogRecordsList()) {
                    LogEvent e = new LogEvent();
                    e.traceId = Ids.traceId(record.getTraceId());
                    e.spanId = Ids.spanId(record.getSpanId());
                    e.service = service;
                    e.env = env;
                    e.host = host;
                    e.timeNanos = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano()
                            : record.getObservedTimeUnixNano() != 0 ? record.getObservedTimeUnixNano()
                            : transportTimestampMillis * 1_000_000L;
                    e.severityText = record.getSeverityText().isEmpty() ? null : record.getSeverityText();
                    int number = record.getSeverityNumberValue();
                    // An SDK that sets only a text severity still gets its errors counted.
                    e.severityNumber = number > 0 ? number : Severity.fromText(e.severityText);
                    e.body = AnyValues.asText(record.getBody());
                    e.legacyTraceId = AnyValues.attribute(record.getAttributesList(), LEGACY_TRACE_ID_ATTRIBUTE);
                    for (KeyValue kv : record.getAttributesList()) e.attributes.put(kv.getKey(), AnyValues.asText(kv.getValue()));
                    if (e.traceId == null && !traceIdPatterns.isEmpty()) traceIdFromText(e, record.getAttributesList());
                    out.add(e);
                }
            }
        }
        return out;
    }

    /**
     * The first trace id the log's text names: in its body (as text: a string as is, any other value as
     * JSON), else in its string attributes in their order. A span id found with it replaces the record's
     * own (a record with a span id but no trace id keeps its span id otherwise).
     */
    private void traceIdFromText(LogEvent e, List<KeyValue> attributes) {
        TextIds ids = traceIdPatterns.find(e.body);
        for (int i = 0; ids == null && i < attributes.size(); i++) {
            AnyValue value = attributes.get(i).getValue();
            if (value.hasStringValue()) ids = traceIdPatterns.find(value.getStringValue());
        }
        if (ids == null) return;
        e.traceId = ids.traceId();
        if (ids.spanId() != null) e.spanId = ids.spanId();
        e.traceIdSource = LogEvent.TRACE_ID_FROM_BODY;
    }

    private void checkSize(byte[] message, OtlpEncoding encoding) throws MalformedOtlpException {
        if (message == null) {
            throw new MalformedOtlpException(encoding == OtlpEncoding.OTLP_JSON
                    ? MalformedOtlpException.MALFORMED_JSON : MalformedOtlpException.MALFORMED_PROTO,
                    "message has no value");
        }
        if (message.length > maxMessageBytes) {
            throw new MalformedOtlpException(MalformedOtlpException.OVERSIZED,
                    "message has " + message.length + " bytes, the limit is " + maxMessageBytes);
        }
    }

    private static String service(List<KeyValue> resource) {
        String service = AnyValues.attribute(resource, "service.name");
        return service == null ? UNKNOWN_SERVICE : service;
    }

    private String env(List<KeyValue> resource) {
        String env = AnyValues.attribute(resource, "deployment.environment.name");
        if (env == null) env = AnyValues.attribute(resource, "deployment.environment");
        return env == null ? defaultEnv : env;
    }
}
