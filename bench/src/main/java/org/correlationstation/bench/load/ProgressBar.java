package org.correlationstation.bench.load;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A one-line progress bar on stderr, redrawn every second: bar, events sent, events/s, errors. */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progress-bar");
        t.setDaemon(true);
        return t;
    });
    private final PrintStream out;
    private final long total;
    private final double totalSeconds;
    private final LongSupplier sent;
    private final LongSupplier errors;
    private final long startNanos = System.nanoTime();
    private long lastSent;
    private long lastNanos = startNanos;

    /** @param total events to send, or ≤ 0 when bounded by time only */
    public ProgressBar(PrintStream out, long total, double totalSeconds, LongSupplier sent, LongSupplier errors) {
        this.out = out;
        this.total = total;
        this.totalSeconds = totalSeconds;
        this.sent = sent;
        this.errors = errors;
        timer.scheduleAtFixedRate(this::draw, 1, 1, TimeUnit.SECONDS);
    }

    static String line(double fraction, long sent, double eventsPerSecond, long errors) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * WIDTH);
        return String.format("[%s%s] %3.0f%%  %,d events  %,.0f events/s  %,d errors",
                "#".repeat(filled), ".".repeat(WIDTH - filled), fraction * 100, sent, eventsPerSecond, errors);
    }

    private synchronized void draw() {
        long now = System.nanoTime();
        long s = sent.getAsLong();
        double rate = (s - lastSent) * 1e9 / Math.max(1, now - lastNanos);
        lastSent = s;
        lastNanos = now;
        double byCount = total > 0 ? (double) s / total : 0;
        double byTime = (now - startNanos) / 1e9 / totalSeconds;
        out.print("\r" + line(Math.max(byCount, byTime), s, rate, errors.getAsLong()));
        out.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        draw();
        out.println();
    }
}
