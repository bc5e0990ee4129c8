package org.correlationstation.job.types;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;

/** The type information of the job's records between operators (no POJO reflection). */
public final class CompactTypes {
    public static final TypeInformation<SpanEvent> SPAN_EVENT =
            new CompactTypeInfo<>(SpanEvent.class, () -> SpanEventSerializer.INSTANCE);
    public static final TypeInformation<LogEvent> LOG_EVENT =
            new CompactTypeInfo<>(LogEvent.class, () -> LogEventSerializer.INSTANCE);
    public static final TypeInformation<TraceSpans> TRACE_SPANS =
            new CompactTypeInfo<>(TraceSpans.class, () -> TraceSpansSerializer.INSTANCE);
    public static final TypeInformation<TraceLogs> TRACE_LOGS =
            new CompactTypeInfo<>(TraceLogs.class, () -> TraceLogsSerializer.INSTANCE);
    public static final TypeInformation<CorrelationRecord> CORRELATION_RECORD =
            new CompactTypeInfo<>(CorrelationRecord.class, () -> CorrelationRecordSerializer.INSTANCE);
    public static final TypeInformation<LokiEntry> LOKI_ENTRY =
            new CompactTypeInfo<>(LokiEntry.class, () -> LokiEntryTypeSerializer.INSTANCE);
    public static final TypeInformation<GraphUpdate> GRAPH_UPDATE =
            new CompactTypeInfo<>(GraphUpdate.class, () -> GraphUpdateSerializer.INSTANCE);
    /**
     * Trace ids as the correlator's key: 17 bytes instead of 33 in front of every state entry of the
     * trace (partitioning still hashes the String, as for any String key).
     */
    public static final TypeInformation<String> TRACE_ID_KEY =
            new CompactTypeInfo<>(String.class, () -> HexIdSerializer.INSTANCE, true);
    /** Span ids as state keys. */
    public static final TypeInformation<String> HEX_ID = new CompactTypeInfo<>(String.class, () -> HexIdSerializer.INSTANCE);

    private CompactTypes() {}
}
