package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The join rule for logs without span id (SPEC §3), over the trace's tracked spans per service sorted
 * by start: many trace-only logs are decided without scanning every span for each (the scan profiled
 * as the correlator's largest cost on traces with thousands of spans). Built once per decision round,
 * not kept in state.
 */
final class SpanIntervals {
    private record Entry(String id, long start, long end) {}

    private static final Comparator<Entry> BY_START_THEN_ID =
            Comparator.comparingLong(Entry::start).thenComparing(Entry::id);

    /** Per service, its spans; sorted when a log of that service first asks (most services have none). */
    private final Map<String, List<Entry>> grouped = new HashMap<>();
    private final Map<String, Entry[]> byService = new HashMap<>();

    SpanIntervals(Map<String, SpanInfo> spans) {
        for (Map.Entry<String, SpanInfo> e : spans.entrySet()) {
            SpanInfo s = e.getValue();
            grouped.computeIfAbsent(s.service, k -> new ArrayList<>()).add(new Entry(e.getKey(), s.startNanos, s.endNanos));
        }
    }

    private Entry[] sorted(String service) {
        Entry[] sorted = byService.get(service);
        if (sorted == null) {
            List<Entry> list = grouped.get(service);
            if (list == null) return null;
            sorted = list.toArray(new Entry[0]);
            Arrays.sort(sorted, BY_START_THEN_ID);
            byService.put(service, sorted);
        }
        return sorted;
    }

    /**
     * The chosen span id, or null when no span qualifies: among the service's spans whose interval
     * widened by {@code slack} holds {@code logTime}, the latest start, ties to the smallest span id.
     * Times in nanoseconds.
     */
    String innermost(String service, long logTime, long slack) {
        Entry[] spans = sorted(service);
        if (spans == null) return null;
        // first index whose start is beyond logTime + slack: no span from there on can hold the log
        int lo = 0;
        int hi = spans.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (spans[mid].start <= logTime + slack) lo = mid + 1;
            else hi = mid;
        }
        String best = null;
        long bestStart = 0;
        for (int i = lo - 1; i >= 0; i--) {
            Entry e = spans[i];
            if (best != null && e.start < bestStart) break;
            if (logTime > e.end + slack) continue;
            best = e.id; // walking down: a later hit with the same start has a smaller id
            bestStart = e.start;
        }
        return best;
    }
}
