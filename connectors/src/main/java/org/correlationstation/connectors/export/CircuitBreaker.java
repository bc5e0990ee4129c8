package org.correlationstation.connectors.export;

import java.time.Duration;

/**
 * A per-backend circuit breaker (SPEC §7): opens after {@code threshold} consecutive failed requests
 * (each already retried), stays open for the recovery timeout, then lets exactly one probe through
 * (half-open); the probe's outcome closes or re-opens it. Disabled, it always allows. Thread-safe.
 * States as the old service's {@code circuit_breaker_state} gauge: 0 closed, 1 open, 2 half-open.
 */
public final class CircuitBreaker {
    public static final int CLOSED = 0;
    public static final int OPEN = 1;
    public static final int HALF_OPEN = 2;

    private final boolean enabled;
    private final int threshold;
    private final long recoveryMillis;
    private int state = CLOSED;
    private int consecutiveFailures;
    private long openedAt;
    private boolean probeInFlight;

    public CircuitBreaker(boolean enabled, int threshold, Duration recovery) {
        this.enabled = enabled;
        this.threshold = Math.max(1, threshold);
        this.recoveryMillis = recovery.toMillis();
    }

    /** Whether a request may go now; in half-open state only the one probe may. */
    public synchronized boolean tryAcquire(long nowMillis) {
        if (!enabled || state == CLOSED) return true;
        if (state == OPEN && nowMillis >= openedAt + recoveryMillis) {
            state = HALF_OPEN;
            probeInFlight = false;
        }
        if (state == HALF_OPEN && !probeInFlight) {
            probeInFlight = true;
            return true;
        }
        return false;
    }

    /** When a request refused now should ask again. */
    public synchronized long nextAttemptAt(long nowMillis) {
        if (state == OPEN) return Math.max(nowMillis, openedAt + recoveryMillis);
        return nowMillis + Math.min(recoveryMillis, 100); // half-open: waiting for the probe's answer
    }

    /** The backend answered (delivered, or rejected the data as invalid: it is up either way). */
    public synchronized void onSuccess() {
        state = CLOSED;
        consecutiveFailures = 0;
        probeInFlight = false;
    }

    /** A request failed after its retries. */
    public synchronized void onFailure(long nowMillis) {
        consecutiveFailures++;
        if (state == HALF_OPEN || consecutiveFailures >= threshold) {
            state = enabled ? OPEN : CLOSED;
            openedAt = nowMillis;
        }
        probeInFlight = false;
    }

    public synchronized int state() {
        return state;
    }
}
