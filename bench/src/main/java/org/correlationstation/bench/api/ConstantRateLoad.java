package org.correlationstation.bench.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.client.HttpClient;

/**
 * Looks up trace ids at a constant request rate and reports latency percentiles free of coordinated
 * omission: each request's latency is measured from the moment it was <em>scheduled</em> to be sent,
 * so a stalled server shows up as latency instead of as fewer requests (what wrk2 does; Debian's wrk
 * has no fixed-rate mode).
 *
 * <pre>java -cp bench.jar org.correlationstation.bench.api.ConstantRateLoad --url http://127.0.0.1:8080 --ids ids.txt --rate 5000 --seconds 30</pre>
 * The last line is machine-readable: {@code rate=… p50_ms=… p99_ms=… p999_ms=… max_ms=… errors=… sent=…}.
 */
public final class ConstantRateLoad {
    /** Non-200 answers by status (0: no response: connection error or client timeout). */
    private static final Map<Integer, AtomicLong> ERRORS_BY_STATUS = new ConcurrentHashMap<>();

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String base = args.require("url");
        List<String> ids = Files.readAllLines(Path.of(args.require("ids")));
        long rate = args.getLong("rate", 1000);
        long seconds = args.getLong("seconds", 30);
        long warmupSeconds = args.getLong("warmup-seconds", 5);

        // Jetty's async client: a pool of keep-alive connections, no thread per request.
        HttpClient http = new HttpClient();
        http.setMaxConnectionsPerDestination((int) args.getLong("connections", 64));
        http.setMaxRequestsQueuedPerDestination(1_000_000);
        http.start();
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong completed = new AtomicLong();

        run(http, base, ids, rate, warmupSeconds, new Recorder(3), new AtomicLong(), new AtomicLong());
        ERRORS_BY_STATUS.clear();
        long sent = run(http, base, ids, rate, seconds, recorder, errors, completed);

        Histogram h = recorder.getIntervalHistogram();
        if (!ERRORS_BY_STATUS.isEmpty()) System.out.println("errors by status: " + new TreeMap<>(ERRORS_BY_STATUS));
        System.out.printf("rate=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d sent=%d completed=%d%n",
                rate, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), errors.get(), sent, completed.get());
        System.exit(0);
    }

    /** Sends at {@code rate}/s for {@code seconds}, then waits (bounded) for the stragglers. */
    private static long run(HttpClient http, String base, List<String> ids, long rate, long seconds,
            Recorder recorder, AtomicLong errors, AtomicLong completed) {
        long periodNanos = 1_000_000_000L / rate;
        long total = rate * seconds;
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long intended = start + i * periodNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            String id = ids.get((int) (i % ids.size()));
            http.newRequest(base + "/api/correlations?trace_id=" + id).timeout(10, TimeUnit.SECONDS).send(result -> {
                recorder.recordValue(Math.max(0, System.nanoTime() - intended) / 1000); // µs
                int status = result.isFailed() ? 0 : result.getResponse().getStatus();
                if (status != 200) {
                    errors.incrementAndGet();
                    ERRORS_BY_STATUS.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                }
                completed.incrementAndGet();
            });
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (completed.get() < total && System.nanoTime() < deadline) LockSupport.parkNanos(1_000_000);
        return total;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
