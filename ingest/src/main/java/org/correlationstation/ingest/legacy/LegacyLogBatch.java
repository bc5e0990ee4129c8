package org.correlationstation.ingest.legacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.otlp.Ids;
import org.correlationstation.core.otlp.OtlpDecoder;

/**
 * The old service's log batch ({@code POST /api/logs}, SPEC §1) as OTLP {@code LogsData}, so that it
 * takes the same path to Kafka as OTLP logs:
 * <pre>{@code
 * {"resource": {"service": "checkout", "host": "web-1", "env": "prod"},
 *  "records": [{"timestamp": "2026-11-22T10:00:00Z", "severity": "INFO", "message": "paid",
 *               "trace_id": "4bf9…", "span_id": "00f0…", "attributes": {"user": "42"}}]}
 * }</pre>
 * <ul>
 *   <li>resource: {@code service} → {@code service.name} (default {@code unknown_service}),
 *       {@code host} → {@code host.name}, {@code env} → {@code deployment.environment};</li>
 *   <li>{@code timestamp}: RFC 3339 or epoch milliseconds → {@code time_unix_nano}; absent: only the
 *       observed time (the time of receipt) is set;</li>
 *   <li>{@code severity} (alias {@code level}) → {@code severity_text} as sent and
 *       {@code severity_number} by the SPEC §2 mapping (unknown text: unspecified);</li>
 *   <li>{@code message} (alias {@code body}) → the body, a string as is, any other JSON value as JSON;</li>
 *   <li>{@code trace_id}: a legacy id (SPEC §2): 32 hex is the trace id, any other valid one becomes
 *       the trace id {@link Ids#traceIdForLegacy} plus the attribute {@code legacy.trace_id};
 *       {@code span_id}: 16 hex; all-zero ids mean none;</li>
 *   <li>{@code attributes}: strings, booleans, integers, decimals as such; objects and arrays as JSON
 *       text.</li>
 * </ul>
 */
public final class LegacyLogBatch {
    public static final String SCOPE_NAME = "correlation-station/legacy-api";
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern HEX16 = Pattern.compile("[0-9a-fA-F]{16}");
    private static final HexFormat HEX = HexFormat.of();

    /**
     * @param logs the batch as OTLP
     * @param service the batch's service (the 202 answer names it)
     * @param count log records in it
     */
    public record Converted(LogsData logs, String service, int count) {}

    private LegacyLogBatch() {}

    /**
     * @param receivedNanos the time of receipt, each record's observed time
     * @throws InvalidBatchException naming the first problem (field path and what was expected)
     */
    public static Converted parse(byte[] json, long receivedNanos) throws InvalidBatchException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new InvalidBatchException("the body is not JSON: " + firstLine(e));
        }
        if (root == null || !root.isObject()) throw new InvalidBatchException("the body must be a JSON object");

        JsonNode resourceNode = root.path("resource");
        if (!resourceNode.isMissingNode() && !resourceNode.isNull() && !resourceNode.isObject()) {
            throw new InvalidBatchException("resource must be an object");
        }
        String service = text(resourceNode, "service", "resource.service");
        if (service == null || service.isEmpty()) service = "unknown_service";
        Resource.Builder resource = Resource.newBuilder().addAttributes(attribute("service.name", service));
        String host = text(resourceNode, "host", "resource.host");
        if (host != null) resource.addAttributes(attribute("host.name", host));
        String env = text(resourceNode, "env", "resource.env");
        if (env != null) resource.addAttributes(attribute("deployment.environment", env));

        JsonNode records = root.path("records");
        if (!records.isArray()) throw new InvalidBatchException("records must be an array of log records");
        ScopeLogs.Builder scope = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName(SCOPE_NAME));
        for (int i = 0; i < records.size(); i++) {
            scope.addLogRecords(record(records.get(i), "records[" + i + "]", receivedNanos));
        }
        LogsData logs = LogsData.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope))
                .build();
        return new Converted(logs, service, records.size());
    }

    private static LogRecord record(JsonNode r, String path, long receivedNanos) throws InvalidBatchException {
        if (!r.isObject()) throw new InvalidBatchException(path + " must be an object");
        LogRecord.Builder log = LogRecord.newBuilder().setObservedTimeUnixNano(receivedNanos);
        log.setTimeUnixNano(timestamp(r.path("timestamp"), path + ".timestamp"));

        String severity = firstText(r, path, "severity", "level");
        if (severity != null) {
            log.setSeverityText(severity);
            log.setSeverityNumberValue(Severity.fromText(severity));
        }
        JsonNode body = r.has("message") ? r.get("message") : r.path("body");
        if (!body.isMissingNode() && !body.isNull()) {
            log.setBody(AnyValue.newBuilder().setStringValue(body.isTextual() ? body.asText() : body.toString()));
        }

        String traceId = text(r, "trace_id", path + ".trace_id");
        if (traceId != null) {
            if (!Ids.isValidLegacyTraceId(traceId)) {
                throw new InvalidBatchException(path + ".trace_id must be 1-128 characters of [A-Za-z0-9._:-]");
            }
            byte[] id = HEX.parseHex(Ids.traceIdForLegacy(traceId));
            if (!Ids.isHexTraceId(traceId)) {
                log.addAttributes(attribute(OtlpDecoder.LEGACY_TRACE_ID_ATTRIBUTE, traceId));
            }
            log.setTraceId(ByteString.copyFrom(id));
        }
        String spanId = text(r, "span_id", path + ".span_id");
        if (spanId != null && !spanId.isEmpty()) {
            if (!HEX16.matcher(spanId).matches()) {
                throw new InvalidBatchException(path + ".span_id must be 16 hex characters, not '"
                        + abbreviate(spanId) + "'");
            }
            log.setSpanId(ByteString.copyFrom(HEX.parseHex(spanId)));
        }

        JsonNode attributes = r.path("attributes");
        if (!attributes.isMissingNode() && !attributes.isNull()) {
            if (!attributes.isObject()) throw new InvalidBatchException(path + ".attributes must be an object");
            Iterator<Map.Entry<String, JsonNode>> fields = attributes.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                log.addAttributes(KeyValue.newBuilder().setKey(f.getKey()).setValue(value(f.getValue())));
            }
        }
        return log.build();
    }

    private static long timestamp(JsonNode t, String path) throws InvalidBatchException {
        if (t.isMissingNode() || t.isNull()) return 0L;
        if (t.isIntegralNumber() && t.canConvertToLong() && t.asLong() >= 0) {
            return Math.multiplyExact(t.asLong(), 1_000_000L);
        }
        if (t.isTextual()) {
            try {
                Instant i = OffsetDateTime.parse(t.asText()).toInstant();
                return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
            } catch (DateTimeParseException | ArithmeticException e) {
                // falls through to the error below
            }
        }
        throw new InvalidBatchException(path + " must be an RFC 3339 time (2026-11-22T10:00:00Z) or epoch"
                + " milliseconds, not " + abbreviate(t.toString()));
    }

    private static AnyValue value(JsonNode v) {
        AnyValue.Builder b = AnyValue.newBuilder();
        if (v.isTextual()) b.setStringValue(v.asText());
        else if (v.isBoolean()) b.setBoolValue(v.asBoolean());
        else if (v.isIntegralNumber() && v.canConvertToLong()) b.setIntValue(v.asLong());
        else if (v.isNumber()) b.setDoubleValue(v.asDouble());
        else if (!v.isNull()) b.setStringValue(v.toString());
        return b.build();
    }

    private static String firstText(JsonNode r, String path, String... names) throws InvalidBatchException {
        for (String name : names) {
            String v = text(r, name, path + "." + name);
            if (v != null) return v;
        }
        return null;
    }

    /** A string field, null when absent or null; any other type is an error. */
    private static String text(JsonNode parent, String name, String path) throws InvalidBatchException {
        JsonNode v = parent.path(name);
        if (v.isMissingNode() || v.isNull()) return null;
        if (!v.isTextual()) throw new InvalidBatchException(path + " must be a string");
        return v.asText();
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static String firstLine(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        return m == null ? e.getClass().getSimpleName() : abbreviate(m);
    }

    private static String firstLine(IOException e) {
        if (e instanceof JsonProcessingException j) return firstLine(j);
        return e.getClass().getSimpleName();
    }

    /** The batch is not what the legacy route accepts: a 400 naming the problem. */
    public static final class InvalidBatchException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidBatchException(String message) {
            super(message);
        }
    }
}
