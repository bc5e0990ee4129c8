package org.correlationstation.job.topics;

import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.job.correlate.JoinedLog;

/**
 * A log as the normalised-logs topic carries it (docs/sql.md): the log's own fields ({@code span_id} is
 * the span id the log itself carried) plus the correlator's join decision ({@code joined_span_id},
 * {@code joined_span_name}, {@code inferred}). {@code log_id} is the dedup identity of SPEC §3 (time,
 * span id, body) as 16 hex digits: a stable key per log within its trace.
 */
public class NormalizedLog {
    public String logId;
    public String traceId;
    public String spanId;
    public String correlationId;
    public String service;
    public String env;
    public String host;
    public long timeUnixNano;
    public long timeMs;
    public int severityNumber;
    public String severityText;
    public boolean error;
    public String body;
    public Map<String, String> attributes;
    public String legacyTraceId;
    /** The span the log was joined to (its own or the inferred one), null when unjoined or untraced. */
    public String joinedSpanId;
    /** Set only when the span was known at decision time. */
    public String joinedSpanName;
    public boolean inferred;

    public NormalizedLog() {}

    /** A log with a trace id, with the correlator's decision. */
    public static NormalizedLog decided(JoinedLog joined) {
        NormalizedLog n = of(joined.log);
        n.correlationId = joined.correlationId;
        n.joinedSpanId = joined.spanId;
        n.joinedSpanName = joined.spanName;
        n.inferred = joined.inferred;
        return n;
    }

    /** A log without a join decision: one without a trace id (not correlated, SPEC §3). */
    public static NormalizedLog withoutJoin(LogEvent log) {
        NormalizedLog n = of(log);
        n.correlationId = log.traceId == null ? null : CorrelationIds.forTrace(log.traceId);
        return n;
    }

    private static NormalizedLog of(LogEvent l) {
        NormalizedLog n = new NormalizedLog();
        n.logId = HexFormat.of().toHexDigits(l.fingerprint());
        n.traceId = l.traceId;
        n.spanId = l.spanId;
        n.service = l.service;
        n.env = l.env;
        n.host = l.host;
        n.timeUnixNano = l.timeNanos;
        n.timeMs = l.eventTimeMillis();
        n.severityNumber = l.severityNumber;
        n.severityText = l.severityText;
        n.error = l.isError();
        n.body = l.body;
        n.attributes = l.attributes == null ? new TreeMap<>() : new TreeMap<>(l.attributes);
        n.legacyTraceId = l.legacyTraceId;
        return n;
    }
}
