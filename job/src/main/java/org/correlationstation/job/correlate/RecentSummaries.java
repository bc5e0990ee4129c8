package org.correlationstation.job.correlate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The summaries of the traces a correlator subtask touched last: a write-through copy of the
 * {@code summary} state. Every call for a trace (each span and log batch, each timer) read the summary
 * from RocksDB and deserialised it, a tenth of the correlator's time, while most of a trace's calls come
 * within seconds of each other.
 *
 * <p>The summary held is the object the correlator changes: coherent because every change is written
 * to state before the call returns ({@link #written}), and a cleared trace is dropped ({@link #forget}).
 * Checkpoints ignore it; a restored or rescaled subtask starts empty. Least recently used first out.
 * Not thread-safe: the task thread only.
 */
final class RecentSummaries {
    private final LinkedHashMap<String, TraceSummary> byTrace;

    RecentSummaries(int maxTraces) {
        this.byTrace = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TraceSummary> eldest) {
                return size() > maxTraces;
            }
        };
    }

    /** The trace's summary when held, else null (read it from state). */
    TraceSummary get(String traceId) {
        return byTrace.get(traceId);
    }

    /** {@code summary} is what the trace's state holds now (just read or written). */
    void written(String traceId, TraceSummary summary) {
        byTrace.put(traceId, summary);
    }

    /** The trace's state was cleared. */
    void forget(String traceId) {
        byTrace.remove(traceId);
    }

    int traceCount() {
        return byTrace.size();
    }
}
