package org.correlationstation.job.correlate;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The summaries of the traces a correlator subtask touched last, written back to the {@code summary} state
 * only when they leave, or before a checkpoint. Every call for a trace (each span and log batch, each
 * timer) changes its summary; reading it from RocksDB and deserialising it was a tenth of the correlator's
 * time, and writing it back after every call another 7% (eighth round, bench/README.md), while most of a
 * trace's calls come within seconds of each other.
 *
 * <p>The summary held is the object the correlator changes, and the one true copy while it is held: state
 * has it as of its last write-back. The correlator reads state only when the trace is not held, and writes
 * back every held change before a checkpoint ({@link #saveAll}), so a checkpoint has every change made before
 * its barrier. A cleared trace is dropped unsaved ({@link #forget}). A restored or rescaled subtask starts
 * empty. Least recently used first out. Not thread-safe: the task thread only.
 */
final class RecentSummaries {
    /** Writes a summary to the trace's state. */
    @FunctionalInterface
    interface Store {
        void save(String traceId, TraceSummary summary) throws Exception;
    }

    private static final class Held {
        final TraceSummary summary;
        boolean unsaved;

        Held(TraceSummary summary, boolean unsaved) {
            this.summary = summary;
            this.unsaved = unsaved;
        }
    }

    private final LinkedHashMap<String, Held> byTrace = new LinkedHashMap<>(1024, 0.75f, true);
    private final int maxTraces;
    private final Store store;

    RecentSummaries(int maxTraces, Store store) {
        this.maxTraces = maxTraces;
        this.store = store;
    }

    /** The trace's summary when held, else null (read it from state). */
    TraceSummary get(String traceId) {
        Held held = byTrace.get(traceId);
        return held == null ? null : held.summary;
    }

    /** {@code summary} was just read from the trace's state. */
    void loaded(String traceId, TraceSummary summary) throws Exception {
        hold(traceId, summary, false);
    }

    /** {@code summary} is the trace's summary now; state has an older one, or none. */
    void changed(String traceId, TraceSummary summary) throws Exception {
        hold(traceId, summary, true);
    }

    /** The trace's state was cleared: its summary goes unsaved. */
    void forget(String traceId) {
        byTrace.remove(traceId);
    }

    /** Writes every summary changed since it was last written (before a checkpoint); they stay held. */
    void saveAll() throws Exception {
        for (Map.Entry<String, Held> entry : byTrace.entrySet()) {
            Held held = entry.getValue();
            if (!held.unsaved) continue;
            store.save(entry.getKey(), held.summary); // touches state only, not this map
            held.unsaved = false;
        }
    }

    int traceCount() {
        return byTrace.size();
    }

    int unsavedCount() {
        int n = 0;
        for (Held held : byTrace.values()) if (held.unsaved) n++;
        return n;
    }

    private void hold(String traceId, TraceSummary summary, boolean unsaved) throws Exception {
        Held held = byTrace.get(traceId);
        if (held != null && held.summary == summary) {
            held.unsaved |= unsaved;
        } else {
            byTrace.put(traceId, new Held(summary, unsaved));
        }
        // The trace just held is the most recent: never the one that leaves.
        Iterator<Map.Entry<String, Held>> eldest = byTrace.entrySet().iterator();
        while (byTrace.size() > maxTraces) {
            Map.Entry<String, Held> leaving = eldest.next();
            eldest.remove();
            if (leaving.getValue().unsaved) store.save(leaving.getKey(), leaving.getValue().summary);
        }
    }
}
