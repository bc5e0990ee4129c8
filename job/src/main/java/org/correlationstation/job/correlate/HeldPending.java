package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pending logs not written to state yet: the newest part of each trace's {@code pending-with-span-id} and
 * {@code pending-trace-only} lists. Most logs wait only until their span's batch comes in, milliseconds
 * later (spans are reported when they end, so a span's logs usually come first), or at most
 * {@code JOIN_MAX_WAIT_MS}. Appending each one, body and all, to a RocksDB list and reading it back at
 * the decision was a sixth of the correlator's time and most of what each checkpoint's memtable flush
 * wrote (performance round 2, bench/README.md); held here, a log decided before the next checkpoint never
 * reaches state.
 *
 * <p>A trace's held logs are written to its lists ({@link Store}) before a checkpoint ({@link #saveAll}),
 * so a checkpoint has every pending log, and when more than {@code maxLogs} are held (the trace that
 * has held logs longest first). The summary counts all of a trace's pending logs, held or in state. A
 * cleared trace's are dropped ({@link #forget}); a restored or rescaled subtask starts with none. Not
 * thread-safe: the task thread only.
 */
final class HeldPending {
    /** Appends a trace's held logs to its state lists. */
    @FunctionalInterface
    interface Store {
        void save(String traceId, List<PendingLog> withSpanId, List<PendingLog> traceOnly) throws Exception;
    }

    /** One trace's held logs; the correlator decides and removes them in place. */
    static final class Logs {
        final List<PendingLog> withSpanId = new ArrayList<>(0);
        final List<PendingLog> traceOnly = new ArrayList<>(0);

        int size() {
            return withSpanId.size() + traceOnly.size();
        }
    }

    /** Traces with held logs, the one that has held logs longest first. */
    private final LinkedHashMap<String, Logs> byTrace = new LinkedHashMap<>(1024);
    private final int maxLogs;
    private final Store store;
    /** Held logs over all traces, as of the last {@link #add} or {@link #changed} (callers remove in place). */
    private int logs;

    HeldPending(int maxLogs, Store store) {
        this.maxLogs = maxLogs;
        this.store = store;
    }

    /** The trace's held logs, or null. */
    Logs get(String traceId) {
        return byTrace.get(traceId);
    }

    /** Holds a log batch's pending logs; writes the longest-held traces' logs to state beyond the bound. */
    void add(String traceId, List<PendingLog> withSpanId, List<PendingLog> traceOnly) throws Exception {
        Logs held = byTrace.computeIfAbsent(traceId, t -> new Logs());
        int before = held.size();
        held.withSpanId.addAll(withSpanId);
        held.traceOnly.addAll(traceOnly);
        logs += held.size() - before;
        Iterator<Map.Entry<String, Logs>> eldest = byTrace.entrySet().iterator();
        while (logs > maxLogs && eldest.hasNext()) {
            Map.Entry<String, Logs> leaving = eldest.next();
            if (leaving.getKey().equals(traceId)) continue; // the caller's batch is still being handled
            eldest.remove();
            logs -= leaving.getValue().size();
            store.save(leaving.getKey(), leaving.getValue().withSpanId, leaving.getValue().traceOnly);
        }
    }

    /**
     * The trace's held logs changed in place ({@code sizeBefore} before): recounts them, and lets the trace go
     * when none is left.
     */
    void changed(String traceId, Logs held, int sizeBefore) {
        logs += held.size() - sizeBefore;
        if (held.size() == 0) byTrace.remove(traceId);
    }

    /** The trace's state was cleared: its held logs go (they were decided first). */
    void forget(String traceId) {
        Logs held = byTrace.remove(traceId);
        if (held != null) logs -= held.size();
    }

    /** Writes every held log to its trace's state lists (before a checkpoint); none is held after. */
    void saveAll() throws Exception {
        for (Map.Entry<String, Logs> entry : byTrace.entrySet()) {
            store.save(entry.getKey(), entry.getValue().withSpanId, entry.getValue().traceOnly);
        }
        byTrace.clear();
        logs = 0;
    }

    int logCount() {
        return logs;
    }
}
