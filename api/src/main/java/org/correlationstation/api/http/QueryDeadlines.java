package org.correlationstation.api.http;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds store calls by a timeout on a hashed timer wheel (netty's, which lettuce already brings).
 * {@code CompletableFuture.orTimeout} puts every request into the JDK's one shared
 * {@code ScheduledThreadPoolExecutor} (a locked heap, a wake-up of its thread for each insert at the
 * head and each cancel); at thousands of requests per second that thread took about 6% of the API's
 * CPU samples. A wheel insert and cancel are lock-free queue operations, handled at the next tick.
 * A timeout fires up to one {@link #TICK_MS} tick late.
 */
final class QueryDeadlines implements AutoCloseable {
    static final long TICK_MS = 5;

    private final HashedWheelTimer wheel;

    QueryDeadlines() {
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "api-query-deadlines");
            t.setDaemon(true);
            return t;
        };
        this.wheel = new HashedWheelTimer(threads, TICK_MS, TimeUnit.MILLISECONDS, 512);
    }

    /** A copy of {@code future} that fails with {@link TimeoutException} after {@code timeoutMs}. */
    <T> CompletableFuture<T> bound(CompletableFuture<T> future, long timeoutMs) {
        CompletableFuture<T> bounded = future.copy();
        if (bounded.isDone()) return bounded;
        Timeout timeout = wheel.newTimeout(t -> bounded.completeExceptionally(new TimeoutException()),
                timeoutMs, TimeUnit.MILLISECONDS);
        bounded.whenComplete((value, error) -> timeout.cancel());
        return bounded;
    }

    @Override
    public void close() {
        wheel.stop();
    }
}
