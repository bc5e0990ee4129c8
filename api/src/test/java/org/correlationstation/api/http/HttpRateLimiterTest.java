package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket on a fake clock: burst of one second's worth, refill at the rate, Retry-After ≥ 1. */
class HttpRateLimiterTest {
    @Test
    void burstRefillAndRetryAfter() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter limiter = new RateLimiter(2, now::get);
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isEqualTo(1); // 0.5 s to the next token → 1 s
        now.addAndGet(500_000_000L);
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isEqualTo(1);
        now.addAndGet(60_000_000_000L); // a long pause refills to the burst size only
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isPositive();
    }

    @Test
    void slowRatesWaitLonger() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter limiter = new RateLimiter(1, now::get);
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isEqualTo(1);
        now.addAndGet(999_000_000L);
        assertThat(limiter.tryAcquire()).isEqualTo(1);
        now.addAndGet(1_000_000L);
        assertThat(limiter.tryAcquire()).isZero();
    }
}
