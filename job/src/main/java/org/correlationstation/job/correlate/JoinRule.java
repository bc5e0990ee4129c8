package org.correlationstation.job.correlate;

import java.util.Map;

/**
 * The inferred join of a log without span id (SPEC §3): among spans of its trace and service whose
 * [start − slack, end + slack] contains the log time, the innermost one, i.e. the latest start; ties
 * go to the smallest span id.
 */
final class JoinRule {
    private JoinRule() {}

    /** The chosen span id, or null when no span qualifies. */
    /** Times in nanoseconds. */
    static String innermost(Iterable<Map.Entry<String, SpanInfo>> spans, String service, long logTime, long slack) {
        String best = null;
        long bestStart = Long.MIN_VALUE;
        for (Map.Entry<String, SpanInfo> e : spans) {
            SpanInfo span = e.getValue();
            if (!span.service.equals(service)) continue;
            if (logTime < span.startNanos - slack || logTime > span.endNanos + slack) continue;
            String id = e.getKey();
            if (best == null || span.startNanos > bestStart || (span.startNanos == bestStart && id.compareTo(best) < 0)) {
                best = id;
                bestStart = span.startNanos;
            }
        }
        return best;
    }
}
