package org.correlationstation.job.loki;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.job.correlate.JoinedLog;

/**
 * A log as Loki gets it (SPEC §7): low-cardinality labels (service, environment, level), the body as
 * the line, and the ids as structured metadata — {@code span_id} being the inferred span when the join
 * inferred one — followed by the log's own attributes.
 */
public final class LokiEntries {
    private LokiEntries() {}

    public static LokiEntry decided(JoinedLog joined) {
        LogEvent log = joined.log;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("trace_id", log.traceId);
        if (joined.spanId != null) metadata.put("span_id", joined.spanId);
        metadata.put("correlation_id", joined.correlationId);
        if (joined.spanName != null) metadata.put("span_name", joined.spanName);
        metadata.put("inferred_span", Boolean.toString(joined.inferred));
        return entry(log, metadata);
    }

    /** A log without trace id: nothing to correlate, so only its own span id (if any) and attributes. */
    public static LokiEntry uncorrelated(LogEvent log) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (log.spanId != null) metadata.put("span_id", log.spanId);
        return entry(log, metadata);
    }

    /** Keys the job sets itself: an attribute of the same name must not pass for them. */
    private static final Set<String> RESERVED = Set.of("trace_id", "span_id", "correlation_id", "span_name", "inferred_span");

    private static LokiEntry entry(LogEvent log, Map<String, String> metadata) {
        if (log.attributes != null) {
            for (Map.Entry<String, String> a : log.attributes.entrySet()) {
                String key = a.getKey();
                metadata.putIfAbsent(RESERVED.contains(key) ? "attr_" + key : key, a.getValue());
            }
        }
        String level = Severity.shortName(log.severityNumber);
        return new LokiEntry(log.service, log.env, level == null ? null : level.toLowerCase(Locale.ROOT),
                log.timeNanos, log.body, metadata);
    }
}
