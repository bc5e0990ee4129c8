package org.correlationstation.bench.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.correlationstation.bench.load.Signal;

/**
 * Walks an OTLP {@code TracesData} / {@code LogsData} protobuf without building it: counts its spans or
 * log records and, when asked, says where each trace id and each timestamp lies in the bytes.
 *
 * <p>Counting is how the ingest bench checks Kafka: the ingest splits each request into one message per
 * trace, so the number of records says nothing, and parsing a million events into objects after every
 * phase would cost more than the walk. The offsets let {@link RequestPool} give every round of its
 * pre-encoded requests fresh trace ids and later timestamps by rewriting fixed-width bytes in place.
 *
 * <p>Field numbers are OTLP's (opentelemetry/proto/trace/v1/trace.proto, logs/v1/logs.proto).
 */
public final class OtlpShape {
    /** Told of each trace id (its 16 bytes) and each fixed64 timestamp (its 8 bytes) by offset. */
    public interface Offsets {
        void traceId(int offset);

        void timestamp(int offset);
    }

    private static final int DATA_RESOURCES = 1;    // TracesData.resource_spans, LogsData.resource_logs
    private static final int RESOURCE_SCOPES = 2;   // ResourceSpans.scope_spans, ResourceLogs.scope_logs
    private static final int SCOPE_ITEMS = 2;       // ScopeSpans.spans, ScopeLogs.log_records
    private static final int SPAN_TRACE_ID = 1;
    private static final int SPAN_START = 7;
    private static final int SPAN_END = 8;
    private static final int LOG_TIME = 1;
    private static final int LOG_TRACE_ID = 9;
    private static final int LOG_OBSERVED_TIME = 11;

    private OtlpShape() {}

    /** Spans (or log records) in the message. */
    public static int count(byte[] message, Signal signal) {
        return walk(message, signal, null);
    }

    /** Walks the message, telling {@code offsets} (may be null) where ids and timestamps are; returns the count. */
    public static int walk(byte[] message, Signal signal, Offsets offsets) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(message);
            int items = 0;
            while (true) {
                int tag = in.readTag();
                if (tag == 0) return items;
                if (isMessage(tag, DATA_RESOURCES)) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    items += resource(in, signal, offsets);
                    in.popLimit(limit);
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not an OTLP " + signal + " message", e);
        }
    }

    private static int resource(CodedInputStream in, Signal signal, Offsets offsets) throws IOException {
        int items = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (isMessage(tag, RESOURCE_SCOPES)) {
                int limit = in.pushLimit(in.readRawVarint32());
                for (int t = in.readTag(); t != 0; t = in.readTag()) {
                    if (isMessage(t, SCOPE_ITEMS)) {
                        int length = in.readRawVarint32();
                        items++;
                        if (offsets == null) {
                            in.skipRawBytes(length);
                        } else {
                            int itemLimit = in.pushLimit(length);
                            item(in, signal, offsets);
                            in.popLimit(itemLimit);
                        }
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        return items;
    }

    private static void item(CodedInputStream in, Signal signal, Offsets offsets) throws IOException {
        boolean span = signal == Signal.SPANS;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            int type = WireFormat.getTagWireType(tag);
            if (type == WireFormat.WIRETYPE_LENGTH_DELIMITED && field == (span ? SPAN_TRACE_ID : LOG_TRACE_ID)) {
                int length = in.readRawVarint32();
                if (length == 16) offsets.traceId(in.getTotalBytesRead());
                in.skipRawBytes(length);
            } else if (type == WireFormat.WIRETYPE_FIXED64 && (span ? field == SPAN_START || field == SPAN_END
                    : field == LOG_TIME || field == LOG_OBSERVED_TIME)) {
                offsets.timestamp(in.getTotalBytesRead());
                in.skipRawBytes(8);
            } else {
                in.skipField(tag);
            }
        }
    }

    private static boolean isMessage(int tag, int field) {
        return tag == (field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED);
    }
}
