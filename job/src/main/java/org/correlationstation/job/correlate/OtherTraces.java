package org.correlationstation.job.correlate;

/**
 * Runs code against another trace's keyed state: a keyed function only ever sees the key of the call it is
 * in, so the operator switches keys for it ({@link TraceCorrelatorOperator}). The correlator writes back a
 * summary {@link RecentSummaries} lets go of, or holds before a checkpoint, this way.
 */
interface OtherTraces {
    /** Runs {@code action} with {@code traceId} as the current key, then restores the key of the call. */
    void runAs(String traceId, StateAction action) throws Exception;

    @FunctionalInterface
    interface StateAction {
        void run() throws Exception;
    }
}
