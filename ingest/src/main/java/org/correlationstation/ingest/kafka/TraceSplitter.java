package org.correlationstation.ingest.kafka;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a request into one message per trace id, so that the message key is the trace id and a
 * trace's spans and logs can be routed to one partition number. Resources and scopes are copied
 * unchanged; only their spans / log records are partitioned, in request order.
 *
 * <p>A trace whose part would exceed {@code maxMessageBytes} (estimated on the protobuf size) is cut
 * into several messages with the same key, so that no message is refused by Kafka's
 * {@code max.request.size}.
 *
 * <p>Ids must have been validated before ({@code OtlpDecoder}): an id of a wrong length is treated
 * as no id here.
 */
public final class TraceSplitter {
    private static final HexFormat HEX = HexFormat.of();
    /** Length prefixes and tags of the nested messages around one element. */
    private static final int NESTING_OVERHEAD = 12;

    private final int maxMessageBytes;

    public TraceSplitter(int maxMessageBytes) {
        if (maxMessageBytes < 1) throw new IllegalArgumentException("maxMessageBytes must be positive");
        this.maxMessageBytes = maxMessageBytes;
    }

    public List<TracePart> split(TracesData data) {
        Map<String, TracesPacker> byTrace = new LinkedHashMap<>();
        for (ResourceSpans rs : data.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    byTrace.computeIfAbsent(traceId(span.getTraceId()), TracesPacker::new).add(rs, ss, span);
                }
            }
        }
        List<TracePart> parts = new ArrayList<>();
        byTrace.values().forEach(p -> p.finish(parts));
        return parts;
    }

    public List<TracePart> split(LogsData data) {
        // LinkedHashMap allows the null key: the logs without a trace id.
        Map<String, LogsPacker> byTrace = new LinkedHashMap<>();
        for (ResourceLogs rl : data.getResourceLogsList()) {
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord record : sl.getLogRecordsList()) {
                    byTrace.computeIfAbsent(traceId(record.getTraceId()), LogsPacker::new).add(rl, sl, record);
                }
            }
        }
        List<TracePart> parts = new ArrayList<>();
        byTrace.values().forEach(p -> p.finish(parts));
        return parts;
    }

    /** 32 lowercase hex, or null for an empty, all-zero or (unvalidated) wrong-length id. */
    static String traceId(ByteString id) {
        if (id.size() != 16) return null;
        for (int i = 0; i < 16; i++) {
            if (id.byteAt(i) != 0) return HEX.formatHex(id.toByteArray());
        }
        return null;
    }

    private final class TracesPacker {
        private final String traceId;
        private TracesData.Builder message;
        private ResourceSpans currentResource;
        private ResourceSpans.Builder resource;
        private ScopeSpans currentScope;
        private ScopeSpans.Builder scope;
        private int bytes;
        private int items;
        private final List<TracePart> done = new ArrayList<>();

        TracesPacker(String traceId) {
            this.traceId = traceId;
        }

        void add(ResourceSpans rs, ScopeSpans ss, Span span) {
            int size = span.getSerializedSize() + NESTING_OVERHEAD;
            if (items > 0 && bytes + size > maxMessageBytes) flush();
            if (message == null) message = TracesData.newBuilder();
            if (rs != currentResource) {
                closeResource();
                currentResource = rs;
                resource = rs.toBuilder().clearScopeSpans();
                bytes += rs.getResource().getSerializedSize() + rs.getSchemaUrlBytes().size() + NESTING_OVERHEAD;
            }
            if (ss != currentScope) {
                closeScope();
                currentScope = ss;
                scope = ss.toBuilder().clearSpans();
                bytes += ss.getScope().getSerializedSize() + ss.getSchemaUrlBytes().size() + NESTING_OVERHEAD;
            }
            scope.addSpans(span);
            bytes += size;
            items++;
        }

        private void closeScope() {
            if (scope != null) resource.addScopeSpans(scope);
            scope = null;
            currentScope = null;
        }

        private void closeResource() {
            closeScope();
            if (resource != null) message.addResourceSpans(resource);
            resource = null;
            currentResource = null;
        }

        private void flush() {
            closeResource();
            done.add(new TracePart(traceId, message.build(), items));
            message = null;
            bytes = 0;
            items = 0;
        }

        void finish(List<TracePart> out) {
            if (items > 0) flush();
            out.addAll(done);
        }
    }

    private final class LogsPacker {
        private final String traceId;
        private LogsData.Builder message;
        private ResourceLogs currentResource;
        private ResourceLogs.Builder resource;
        private ScopeLogs currentScope;
        private ScopeLogs.Builder scope;
        private int bytes;
        private int items;
        private final List<TracePart> done = new ArrayList<>();

        LogsPacker(String traceId) {
            this.traceId = traceId;
        }

        void add(ResourceLogs rl, ScopeLogs sl, LogRecord record) {
            int size = record.getSerializedSize() + NESTING_OVERHEAD;
            if (items > 0 && bytes + size > maxMessageBytes) flush();
            if (message == null) message = LogsData.newBuilder();
            if (rl != currentResource) {
                closeResource();
                currentResource = rl;
                resource = rl.toBuilder().clearScopeLogs();
                bytes += rl.getResource().getSerializedSize() + rl.getSchemaUrlBytes().size() + NESTING_OVERHEAD;
            }
            if (sl != currentScope) {
                closeScope();
                currentScope = sl;
                scope = sl.toBuilder().clearLogRecords();
                bytes += sl.getScope().getSerializedSize() + sl.getSchemaUrlBytes().size() + NESTING_OVERHEAD;
            }
            scope.addLogRecords(record);
            bytes += size;
            items++;
        }

        private void closeScope() {
            if (scope != null) resource.addScopeLogs(scope);
            scope = null;
            currentScope = null;
        }

        private void closeResource() {
            closeScope();
            if (resource != null) message.addResourceLogs(resource);
            resource = null;
            currentResource = null;
        }

        private void flush() {
            closeResource();
            done.add(new TracePart(traceId, message.build(), items));
            message = null;
            bytes = 0;
            items = 0;
        }

        void finish(List<TracePart> out) {
            if (items > 0) flush();
            out.addAll(done);
        }
    }
}
