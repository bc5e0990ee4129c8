package org.correlationstation.job.loki;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.job.correlate.JoinedLog;

/**
 * A log as Loki gets it (SPEC §7): low-cardinality labels (service, environment, level), the body as
 * the line, and the ids as structured metadata — {@code span_id} being the inferred span when the join
 * inferred one, and {@code trace_id_source=body} when the decoder found the trace id in the log's text
 * ({@code LOG_TRACE_ID_PATTERNS}) — followed by the log's own attributes.
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
        if (log.traceIdSource != null) metadata.put("trace_id_source", log.traceIdSource);
        return entry(log, metadata);
    }

    /** A log without trace id: nothing to correlate, so only its own span id (if any) and attributes. */
    public static LokiEntry uncorrelated(LogEvent log) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (log.spanId != null) metadata.put("span_id", log.spanId);
        return entry(log, metadata);
    }

    /** Keys the job sets itself: an attribute of the same name must not pass for them. */
    private static final Set<String> RESERVED =
            Set.of("trace_id", "span_id", "correlation_id", "span_name", "inferred_span", "trace_id_source");

    private static LokiEntry entry(LogEvent log, Map<String, String> metadata) {
        if (log.attributes != null) {
            for (Map.Entry<String, String> a : log.attributes.entrySet()) {
                String key = a.getKey();
                metadata.putIfAbsent(RESERVED.contains(key) ? "attr_" + key : key, a.getValue());
            }
        }
        String level = Severity.shortName(log.severityNumber);
        return new LokiEntry(log.service, log.env, level == null ? null : level.toLowerCase(Locale.ROOT),
                timestampNanos(log), log.body, metadata);
    }

    private static final long MILLI = 1_000_000L;
    private static final long MICRO = 1_000L;

    /**
     * The entry's timestamp: the log's own, moved within its precision by an offset from the log's
     * identity when that precision is a millisecond or a microsecond. Loki drops an entry whose
     * timestamp and line equal one already in its stream, whatever its structured metadata
     * ({@code pkg/ingester/stream.go}); our streams are per service, environment and level, so two
     * instances of a service (or two requests on one) logging the same text in the same millisecond lost
     * a line. The offset is below the timestamp's own precision, so it tells nothing new about when the
     * log happened and changes nothing a query at that precision sees; it is the same on every delivery
     * of the same log, so a replay is still deduplicated by Loki. Timestamps with sub-microsecond digits
     * are left as they are.
     */
    public static long timestampNanos(LogEvent log) {
        long t = log.timeNanos;
        long precision = t % MILLI == 0 ? MILLI : t % MICRO == 0 ? MICRO : 1;
        if (precision == 1) return t;
        return t + Math.floorMod(identity(log), precision);
    }

    /** What tells two logs with the same time and line apart: their trace, span, host, severity and attributes. */
    private static long identity(LogEvent log) {
        long h = 0xcbf29ce484222325L;
        h = mix(h, log.traceId);
        h = mix(h, log.spanId);
        h = mix(h, log.host);
        h = (h ^ log.severityNumber) * 0x100000001b3L;
        if (log.attributes != null && !log.attributes.isEmpty()) {
            for (Map.Entry<String, String> a : new TreeMap<>(log.attributes).entrySet()) {
                h = mix(mix(h, a.getKey()), a.getValue());
            }
        }
        // A final avalanche (splitmix64's), so that close inputs spread over the whole offset range.
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    private static long mix(long h, String s) {
        if (s == null) return (h ^ 0xff) * 0x100000001b3L;
        for (int i = 0; i < s.length(); i++) h = (h ^ s.charAt(i)) * 0x100000001b3L;
        return (h ^ s.length()) * 0x100000001b3L;
    }
}
