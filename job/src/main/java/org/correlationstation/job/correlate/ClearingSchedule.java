package org.correlationstation.job.correlate;

/**
 * Where the correlator hands a closed trace's clean-up (SPEC §3: state is cleared
 * {@code CORRELATION_TTL_SECONDS} after close), so that a trace held for late events keeps no timer of
 * its own. {@link TraceCorrelatorOperator} is the one implementation.
 */
interface ClearingSchedule {
    /**
     * Makes the trace's own processing-time timer fire at the first clean-up step at or after
     * {@code time}; the firing then finds the trace due and clears it.
     */
    void clearAt(String traceId, long time) throws Exception;
}
