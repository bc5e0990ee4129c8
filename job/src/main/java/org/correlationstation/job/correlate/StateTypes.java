package org.correlationstation.job.correlate;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.correlationstation.job.types.CompactTypeInfo;

/** The type information of the correlator's state values and its decided-logs output. */
final class StateTypes {
    static final TypeInformation<TraceSummary> SUMMARY =
            new CompactTypeInfo<>(TraceSummary.class, () -> TraceSummarySerializer.INSTANCE);
    static final TypeInformation<SpanInfo> SPAN_INFO =
            new CompactTypeInfo<>(SpanInfo.class, () -> SpanInfoSerializer.INSTANCE);
    static final TypeInformation<ClosedTrace> CLOSED_TRACE =
            new CompactTypeInfo<>(ClosedTrace.class, () -> ClosedTraceSerializer.INSTANCE);
    static final TypeInformation<LinkCounts> LINK_COUNTS =
            new CompactTypeInfo<>(LinkCounts.class, () -> LinkCountsSerializer.INSTANCE);
    static final TypeInformation<PendingLog> PENDING_LOG =
            new CompactTypeInfo<>(PendingLog.class, () -> PendingLogSerializer.INSTANCE);
    static final TypeInformation<JoinedLog> JOINED_LOG =
            new CompactTypeInfo<>(JoinedLog.class, () -> JoinedLogSerializer.INSTANCE);

    private StateTypes() {}
}
