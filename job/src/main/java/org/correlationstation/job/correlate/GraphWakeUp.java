package org.correlationstation.job.correlate;

/**
 * Where the correlator asks to be sent its held graph increments ({@link GraphBuffer}) once they are due,
 * when no call of its own may come by then: a quiet subtask's last increments would otherwise wait for
 * the next checkpoint's barrier. {@link TraceCorrelatorOperator} is the one implementation (a timer of
 * the operator's, not of a key).
 */
interface GraphWakeUp {
    /** Sends whatever increments are held at processing time {@code time} (or earlier), once. */
    void sendGraphAt(long time);
}
