package org.correlationstation.bench.api;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Looks up trace ids at a constant request rate and reports latency percentiles free of coordinated
 * omission: each request's latency is measured from the moment it was <em>scheduled</em> to be sent,
 * so a stalled server shows up as latency instead of as fewer requests (what wrk2 does; Debian's wrk
 * has no fixed-rate mode).
 *
 * <p>The driver shares the machine's two cores with the API and Redis, so whatever CPU it spends per
 * request is taken from the server it measures: with a heavier client (Jetty's, a sending thread
 * parked per request) the driver burned more than twice the API's CPU at 5k req/s and the tail
 * measured the driver's contention more than the API. Hence {@link ConstantRateClient}: one Netty
 * event loop, so that what a request costs the driver is mostly the kernel's share of it.
 *
 * <pre>java -cp bench.jar org.correlationstation.bench.api.ConstantRateLoad --url http://127.0.0.1:8080 --ids ids.txt --rate 5000 --seconds 30</pre>
 * Options: {@code --warmup-seconds} (5, at the same rate, not measured), {@code --connections} (64).
 * The last line is machine-readable: {@code rate=… p50_ms=… p90_ms=… p99_ms=… p999_ms=… max_ms=… errors=… sent=… completed=…},
 * preceded by {@code errors by status: {…}} when there were errors (status 0: connection error or
 * no answer within 10 s).
 */
public final class ConstantRateLoad {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        URI base = URI.create(args.require("url"));
        List<String> ids = Files.readAllLines(Path.of(args.require("ids")));
        long rate = args.getLong("rate", 1000);
        long seconds = args.getLong("seconds", 30);
        long warmupSeconds = args.getLong("warmup-seconds", 5);
        int connections = (int) args.getLong("connections", 64);

        ConstantRateClient.Result result;
        try (ConstantRateClient client = new ConstantRateClient(base, connections)) {
            client.run(ids, rate, warmupSeconds);
            result = client.run(ids, rate, seconds);
        }
        Histogram h = result.latencyMicros();
        if (!result.errorsByStatus().isEmpty()) System.out.println("errors by status: " + result.errorsByStatus());
        System.out.printf("rate=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d sent=%d completed=%d%n",
                rate, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), result.errors(), result.sent(), result.completed());
        System.exit(0);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
