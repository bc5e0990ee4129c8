package org.correlationstation.job.loki;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.correlationstation.connectors.kafka.DeadLetterPublisher;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.connectors.loki.RejectedBatchHandler;

/**
 * A batch Loki rejected as invalid goes to the DLQ topic as OTLP {@code LogsData} (SPEC §7), rebuilt
 * from what was sent to Loki — the entries carry the log's body, time, level, ids and attributes, not
 * the original message bytes — with the backend's answer in {@code dlq.reason} and
 * {@code dlq.sink=loki}.
 */
public final class LokiDeadLetters implements RejectedBatchHandler {
    private static final long serialVersionUID = 1L;
    private static final Set<String> IDS = Set.of("trace_id", "span_id");

    private final DeadLetterPublisher publisher;

    public LokiDeadLetters(DeadLetterPublisher publisher) {
        this.publisher = publisher;
    }

    /**
     * One dead letter per entry: a whole batch (up to MAX_BATCH_SIZE lines) would exceed Kafka's
     * message size limit, and a refused dead letter would fail the task on every replay.
     */
    @Override
    public CompletionStage<Void> onRejected(List<LokiEntry> batch, String status, String answer) {
        List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
        for (LokiEntry entry : batch) {
            acks.add(publisher.publish("loki", logsData(List.of(entry)).toByteArray(), "loki " + status, answer));
        }
        return CompletableFuture.allOf(acks.toArray(new CompletableFuture[0]));
    }

    @Override
    public void close() {
        publisher.close();
    }

    static LogsData logsData(List<LokiEntry> batch) {
        LogsData.Builder data = LogsData.newBuilder();
        for (LokiEntry e : batch) {
            Resource.Builder resource = Resource.newBuilder().addAttributes(kv("service.name", e.serviceName));
            if (e.deploymentEnvironment != null) resource.addAttributes(kv("deployment.environment.name", e.deploymentEnvironment));
            LogRecord.Builder record = LogRecord.newBuilder()
                    .setTimeUnixNano(e.timestampNanos)
                    .setBody(AnyValue.newBuilder().setStringValue(e.line == null ? "" : e.line));
            if (e.level != null) record.setSeverityText(e.level.toUpperCase(java.util.Locale.ROOT));
            for (Map.Entry<String, String> m : e.structuredMetadata.entrySet()) {
                if (IDS.contains(m.getKey())) continue;
                record.addAttributes(kv(m.getKey(), m.getValue()));
            }
            String traceId = e.structuredMetadata.get("trace_id");
            String spanId = e.structuredMetadata.get("span_id");
            if (isHex(traceId, 32)) record.setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceId)));
            if (isHex(spanId, 16)) record.setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanId)));
            data.addResourceLogs(ResourceLogs.newBuilder().setResource(resource)
                    .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record)));
        }
        return data.build();
    }

    private static boolean isHex(String s, int length) {
        return s != null && s.length() == length && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value == null ? "" : value)).build();
    }
}
