package org.correlationstation.bench.load;

/**
 * The shape of generated traffic. Defaults give a realistic service mesh: ~20 spans per trace with a
 * long tail up to 50k-span traces, about one log per span, some logs without span or trace id.
 *
 * @param services          how many services spans and logs are spread over
 * @param spansPerTrace     median spans per ordinary trace (log-normal around it)
 * @param longTailShare     share of traces drawn from the long tail (log-uniform up to {@code maxSpansPerTrace})
 * @param maxSpansPerTrace  the largest trace
 * @param logsPerSpan       mean logs per span (Poisson)
 * @param logsWithoutSpanId share of logs that carry the trace id but no span id
 * @param logsWithoutTraceId share of logs with no trace context at all (not correlated)
 * @param errorRate         share of spans with status ERROR (each also writes an ERROR log)
 * @param outOfOrderMs      a trace's timestamps lie up to this far before generation time, so the
 *                          stream's event times are out of order by up to this much
 * @param lateShare         share of traces whose root span is held back and sent {@code lateMs} later
 * @param lateMs            how long a late root span is held back (wall clock)
 * @param batchSize         events per Kafka message / OTLP request, like a Collector's batch processor
 * @param batchTimeoutMs    a partial batch goes out after this long (Collector's {@code timeout})
 */
public record TrafficProfile(
        int services,
        int spansPerTrace,
        double longTailShare,
        int maxSpansPerTrace,
        double logsPerSpan,
        double logsWithoutSpanId,
        double logsWithoutTraceId,
        double errorRate,
        long outOfOrderMs,
        double lateShare,
        long lateMs,
        int batchSize,
        long batchTimeoutMs) {

    public static TrafficProfile defaults() {
        return new TrafficProfile(12, 20, 0.0005, 50_000, 1.0, 0.1, 0.05, 0.01, 2_000, 0.001, 15_000, 1024, 200);
    }

    public TrafficProfile {
        if (services < 1 || spansPerTrace < 1 || maxSpansPerTrace < spansPerTrace || batchSize < 1) {
            throw new IllegalArgumentException("services, spans per trace and batch size must be ≥ 1, "
                    + "and max spans per trace ≥ spans per trace");
        }
        for (double share : new double[] {longTailShare, logsWithoutSpanId, logsWithoutTraceId, errorRate, lateShare}) {
            if (share < 0 || share > 1) throw new IllegalArgumentException("shares must be in [0, 1]: " + share);
        }
    }

    public TrafficProfile withSpansPerTrace(int n, int max) {
        return new TrafficProfile(services, n, longTailShare, max, logsPerSpan, logsWithoutSpanId,
                logsWithoutTraceId, errorRate, outOfOrderMs, lateShare, lateMs, batchSize, batchTimeoutMs);
    }

    public TrafficProfile withLongTail(double share) {
        return new TrafficProfile(services, spansPerTrace, share, maxSpansPerTrace, logsPerSpan, logsWithoutSpanId,
                logsWithoutTraceId, errorRate, outOfOrderMs, lateShare, lateMs, batchSize, batchTimeoutMs);
    }

    public TrafficProfile withLate(double share, long ms) {
        return new TrafficProfile(services, spansPerTrace, longTailShare, maxSpansPerTrace, logsPerSpan,
                logsWithoutSpanId, logsWithoutTraceId, errorRate, outOfOrderMs, share, ms, batchSize, batchTimeoutMs);
    }
}
