package org.correlationstation.job.correlate;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracked spans of the traces a correlator subtask touched last, as maps by span id: a read-through
 * copy of the {@code span-list} state. A trace's spans are read several times within seconds of its
 * arrival (a log batch naming them, the first emission, the trace-only logs' decision, the next
 * emission), and each read from RocksDB deserialised the whole list again: those reads were a
 * sixth of the correlator's time.
 *
 * <p>Coherent because the correlator is the only writer of its keyed state: every change to a trace's
 * span list goes through {@link #added} or {@link #forget} as well. It holds nothing that is not in
 * state, so checkpoints ignore it and a restored or rescaled subtask starts empty. Bounded by span and
 * trace count, least recently used first out. Not thread-safe: the task thread only.
 */
final class RecentSpans {
    private static final class Entry {
        final Map<String, SpanInfo> spans;
        /** The map's size when last counted: callers add spans to it between {@link #added} calls. */
        int counted;

        Entry(Map<String, SpanInfo> spans) {
            this.spans = spans;
            this.counted = spans.size();
        }
    }

    private final int maxSpans;
    private final int maxTraces;
    private final LinkedHashMap<String, Entry> byTrace = new LinkedHashMap<>(1024, 0.75f, true);
    private long spans;

    RecentSpans(int maxSpans, int maxTraces) {
        this.maxSpans = maxSpans;
        this.maxTraces = maxTraces;
    }

    /** The trace's spans when held (the caller may add spans it also appends to state), else null. */
    Map<String, SpanInfo> get(String traceId) {
        Entry entry = byTrace.get(traceId);
        return entry == null ? null : entry.spans;
    }

    /** Holds the spans just read from state for {@code traceId}. */
    void loaded(String traceId, Map<String, SpanInfo> loaded) {
        put(traceId, new Entry(loaded));
    }

    /**
     * Spans just appended to the trace's state. {@code stateWasEmpty}: the list held nothing before them,
     * so they are all of it even when the trace is not held yet.
     */
    void added(String traceId, List<SpanInfo> added, boolean stateWasEmpty) {
        Entry entry = byTrace.get(traceId);
        if (entry == null) {
            if (!stateWasEmpty) return; // the rest of the list is only in state
            Map<String, SpanInfo> all = new HashMap<>(added.size() * 2);
            for (SpanInfo span : added) all.put(span.spanId, span);
            put(traceId, new Entry(all));
            return;
        }
        for (SpanInfo span : added) entry.spans.putIfAbsent(span.spanId, span);
        spans += entry.spans.size() - entry.counted;
        entry.counted = entry.spans.size();
        evict();
    }

    /** The trace's state was cleared. */
    void forget(String traceId) {
        Entry entry = byTrace.remove(traceId);
        if (entry != null) spans -= entry.counted;
    }

    long spanCount() {
        return spans;
    }

    int traceCount() {
        return byTrace.size();
    }

    private void put(String traceId, Entry entry) {
        forget(traceId);
        byTrace.put(traceId, entry);
        spans += entry.counted;
        evict();
    }

    private void evict() {
        Iterator<Entry> eldest = byTrace.values().iterator();
        while ((spans > maxSpans || byTrace.size() > maxTraces) && eldest.hasNext()) {
            spans -= eldest.next().counted;
            eldest.remove();
        }
    }
}
