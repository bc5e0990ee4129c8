package org.correlationstation.api.http;

import java.util.function.LongSupplier;

/**
 * A token bucket per API replica (SPEC §6): {@code rps} tokens per second, a burst of at most one
 * second's worth ({@code rps} tokens, at least 1). Thread-safe.
 */
public final class RateLimiter {
    private static final long NANOS = 1_000_000_000L;

    private final double ratePerNano;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    public RateLimiter(int rps, LongSupplier nanoClock) {
        if (rps <= 0) throw new IllegalArgumentException("rps must be > 0 (0 means: no limiter)");
        this.ratePerNano = rps / (double) NANOS;
        this.capacity = Math.max(1, rps);
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.last = nanoClock.getAsLong();
    }

    public RateLimiter(int rps) {
        this(rps, System::nanoTime);
    }

    /** Takes a token: 0 when granted, else the whole seconds (≥ 1) until one is available. */
    public synchronized long tryAcquire() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        double waitNanos = (1 - tokens) / ratePerNano;
        return Math.max(1, (long) Math.ceil(waitNanos / NANOS));
    }
}
