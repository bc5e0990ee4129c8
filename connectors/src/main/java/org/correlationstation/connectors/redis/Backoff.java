package org.correlationstation.connectors.redis;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exponential backoff with jitter over consecutive failures of the whole writer (not per batch): while
 * Redis is down every batch fails, and they should all slow down together. Thread-safe, because
 * results arrive on lettuce's threads.
 */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();

    Backoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** Records a failure; returns how long to wait before the next attempt. */
    long onFailure() {
        int failures = consecutiveFailures.incrementAndGet();
        long ceiling = initialMillis << Math.min(failures - 1, 30);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        }
        // "Equal jitter": at least half the ceiling, so the delay still grows, while writers that
        // failed together do not retry in lockstep.
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }

    /** Records a success; returns how many failures preceded it. */
    int onSuccess() {
        return consecutiveFailures.getAndSet(0);
    }
}
