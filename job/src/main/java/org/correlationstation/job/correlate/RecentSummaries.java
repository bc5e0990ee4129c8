package org.correlationstation.job.correlate;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The summaries of the traces a correlator subtask touched last, written back to the {@code summary} state
 * once their trace has been quiet for a while, when it closes, when they leave, or before a checkpoint.
 * Every call for a trace (each span and log batch, each timer) changes its summary; reading it from RocksDB and
 * deserialising it was a tenth of the correlator's time, and writing it back after every call another 7%
 * (eighth round, bench/README.md), while most of a trace's calls come within seconds of each other.
 *
 * <p>A summary unchanged for {@code idleMillis} is written back as the next change of any trace comes in
 * (so once per burst of its calls, the same count as at a checkpoint or on leaving): what a checkpoint
 * must write before its barrier, in its synchronous part, on the task thread (nothing is processed
 * meanwhile), is then only the last {@code idleMillis} of changes instead of every held one, up to
 * {@code maxTraces}. That pause delayed every record in flight (performance round 2, bench/README.md).
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
        /** When it was last changed (processing time), while it is unsaved. */
        long changedAt;

        Held(TraceSummary summary) {
            this.summary = summary;
        }
    }

    /** Every held summary, least recently used first. */
    private final LinkedHashMap<String, Held> byTrace = new LinkedHashMap<>(1024, 0.75f, true);
    /** The unsaved ones among them, least recently changed first. */
    private final LinkedHashMap<String, Held> unsaved = new LinkedHashMap<>(1024);
    private final int maxTraces;
    private final long idleMillis;
    private final Store store;

    RecentSummaries(int maxTraces, long idleMillis, Store store) {
        this.maxTraces = maxTraces;
        this.idleMillis = idleMillis;
        this.store = store;
    }

    /** The trace's summary when held, else null (read it from state). */
    TraceSummary get(String traceId) {
        Held held = byTrace.get(traceId);
        return held == null ? null : held.summary;
    }

    /** {@code summary} was just read from the trace's state. */
    void loaded(String traceId, TraceSummary summary) throws Exception {
        hold(traceId, summary);
    }

    /**
     * {@code summary} is the trace's summary now (at processing time {@code now}); state has an older one,
     * or none. Writes back the summaries quiet since {@code now - idleMillis}.
     */
    void changed(String traceId, TraceSummary summary, long now) throws Exception {
        Held held = hold(traceId, summary);
        unsaved.remove(traceId);
        held.changedAt = now;
        unsaved.put(traceId, held);
        Iterator<Map.Entry<String, Held>> quiet = unsaved.entrySet().iterator();
        while (quiet.hasNext()) {
            Map.Entry<String, Held> eldest = quiet.next();
            if (eldest.getValue().changedAt > now - idleMillis) break;
            quiet.remove();
            store.save(eldest.getKey(), eldest.getValue().summary); // touches state only, not these maps
        }
    }

    /**
     * Writes the trace's summary back now if it is unsaved, for a trace that will rarely change again (one
     * just closed): left for a checkpoint, the writes of every trace closed in the last {@code idleMillis}
     * were the larger part of what its synchronous part wrote.
     */
    void saveNow(String traceId) throws Exception {
        Held held = unsaved.remove(traceId);
        if (held != null) store.save(traceId, held.summary);
    }

    /** The trace's state was cleared: its summary goes unsaved. */
    void forget(String traceId) {
        byTrace.remove(traceId);
        unsaved.remove(traceId);
    }

    /** Writes every summary changed since it was last written (before a checkpoint); they stay held. */
    void saveAll() throws Exception {
        for (Map.Entry<String, Held> entry : unsaved.entrySet()) store.save(entry.getKey(), entry.getValue().summary);
        unsaved.clear();
    }

    int traceCount() {
        return byTrace.size();
    }

    int unsavedCount() {
        return unsaved.size();
    }

    private Held hold(String traceId, TraceSummary summary) throws Exception {
        Held held = byTrace.get(traceId);
        if (held == null || held.summary != summary) {
            if (held != null) unsaved.remove(traceId); // replaced by another object: this one is what counts
            held = new Held(summary);
            byTrace.put(traceId, held);
        }
        // The trace just held is the most recent: never the one that leaves.
        Iterator<Map.Entry<String, Held>> eldest = byTrace.entrySet().iterator();
        while (byTrace.size() > maxTraces) {
            Map.Entry<String, Held> leaving = eldest.next();
            eldest.remove();
            if (unsaved.remove(leaving.getKey()) != null) store.save(leaving.getKey(), leaving.getValue().summary);
        }
        return held;
    }
}
