package org.correlationstation.bench.load;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Drives a generator into a target at a fixed event rate or flat out, bounded in events and time.
 * At a fixed rate each trace has an intended send time on a fixed schedule ({@code start + events
 * before it / rate}); listeners get that time, not the time it actually went out, so a latency measured
 * from it is free of coordinated omission (a stalled sender does not hide the stall).
 */
public final class LoadDriver {
    /** Told of every trace as it is generated, with its intended send time ({@link System#nanoTime()} scale). */
    public interface TraceListener {
        void sent(SentTrace trace, long intendedNanos);
    }

    private final TrafficGenerator generator;
    private final OtlpTarget target;
    private final double eventsPerSecond;
    private final long maxEvents;
    private final Duration maxTime;
    private final TraceListener listener;
    private volatile boolean stopped;
    private volatile long startNanos;

    /** @param eventsPerSecond 0 for flat out */
    public LoadDriver(TrafficGenerator generator, OtlpTarget target, double eventsPerSecond, long maxEvents,
            Duration maxTime, TraceListener listener) {
        this.generator = generator;
        this.target = target;
        this.eventsPerSecond = eventsPerSecond;
        this.maxEvents = maxEvents <= 0 ? Long.MAX_VALUE : maxEvents;
        this.maxTime = maxTime;
        this.listener = listener;
    }

    /** Runs until a bound is reached or {@link #stop()}, then flushes what is pending into the target. */
    public void run() throws Exception {
        run(() -> false);
    }

    public void run(BooleanSupplier stopWhen) throws Exception {
        startNanos = System.nanoTime();
        long deadline = startNanos + maxTime.toNanos();
        while (!stopped && generator.events() < maxEvents && !stopWhen.getAsBoolean()) {
            long intended = startNanos;
            if (eventsPerSecond > 0) {
                intended = startNanos + (long) (generator.events() * 1e9 / eventsPerSecond);
                long now;
                // Parks until the slot; a batch's timeout is honoured while waiting.
                while ((now = System.nanoTime()) < intended) {
                    generator.releaseDue(System.currentTimeMillis(), target::send);
                    LockSupport.parkNanos(Math.min(intended - now, 1_000_000));
                }
            }
            if (System.nanoTime() > deadline) break;
            SentTrace trace = generator.nextTrace(System.currentTimeMillis(), target::send);
            generator.releaseDue(System.currentTimeMillis(), target::send);
            if (listener != null) listener.sent(trace, eventsPerSecond > 0 ? intended : System.nanoTime());
        }
        generator.flush(target::send);
        target.flush();
    }

    public void stop() {
        stopped = true;
    }

    public long events() {
        return generator.events();
    }

    public double elapsedSeconds() {
        return startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9;
    }
}
