package org.correlationstation.connectors.export;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exponential backoff with jitter over consecutive failures of a whole writer (not per batch): while a
 * backend is down every batch fails, and they should all slow down together. Thread-safe, because
 * results arrive on client threads.
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();

    public Backoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** Records a failure; returns how long to wait before the next attempt. */
    public long onFailure() {
        return delay(consecutiveFailures.incrementAndGet(), initialMillis, maxMillis);
    }

    /**
     * The wait before retry number {@code failures} (1-based): exponential from {@code initialMillis},
     * capped at {@code maxMillis}, with "equal jitter" — at least half the ceiling, so the delay still
     * grows, while writers that failed together do not retry in lockstep.
     */
    public static long delay(int failures, long initialMillis, long maxMillis) {
        long ceiling = initialMillis << Math.min(Math.max(failures, 1) - 1, 30);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        }
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }

    /** Records a success; returns how many failures preceded it. */
    public int onSuccess() {
        return consecutiveFailures.getAndSet(0);
    }
}
