package org.correlationstation.bench.frontdoor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.correlationstation.bench.check.RecordChecker;

/** The front-door bench's results, their comparison with the old service, and the summary line. */
final class FrontdoorReport {
    /** What the issue quoted for the old Python service on this kind of machine (JSON bodies). */
    static final Reference QUOTED_OLD_SERVICE = new Reference("the old service as the issue quoted it", 30_030, 24_056, 0.62 * 1e6 / 12_000);

    /**
     * The old service's figures: records/s it accepted and processed (JSON; it did not read protobuf),
     * and its CPU per record at 12,000 records/s, in µs.
     */
    record Reference(String source, double acceptedPerSecond, double processedPerSecond, double cpuMicrosPerRecord) {}

    /**
     * A saturated run: events sent and answered 2xx ({@code accepted}, over {@code sendSeconds}), the
     * events in the verified records ({@code processed}) and the time from the first request until the
     * last record was visible; the check of every trace sent.
     */
    record Saturated(String target, String encoding, long accepted, double sendSeconds, long processed,
            double visibleSeconds, RecordChecker.Result check, String loadBefore) {
        double acceptedPerSecond() {
            return accepted / sendSeconds;
        }

        double processedPerSecond() {
            return processed / visibleSeconds;
        }
    }

    /** A constant-rate run: records accepted over the window and the CPU the process tree spent in it. */
    record Constant(String target, double rate, long accepted, double seconds, long cpuNanos, long jitNanos,
            RecordChecker.Result check, String loadBefore) {
        double cpuMicrosPerRecord() {
            return cpuNanos / 1000.0 / Math.max(1, accepted);
        }

        double cores() {
            return cpuNanos / 1e9 / seconds;
        }
    }

    final List<Saturated> saturated = new ArrayList<>();
    final List<Constant> constant = new ArrayList<>();

    private Saturated ours(String encoding) {
        return saturated.stream().filter(s -> s.target.equals(FrontdoorBenchmark.OURS) && s.encoding.equals(encoding))
                .findFirst().orElse(null);
    }

    private Constant oursConstant() {
        return constant.stream().filter(c -> c.target.equals(FrontdoorBenchmark.OURS)).findFirst().orElse(null);
    }

    /** {@code frontdoor: <N> records/s protobuf, <N> records/s JSON, <µs> CPU per record at 12000/s}. */
    String summary() {
        Saturated proto = ours("protobuf");
        Saturated json = ours("JSON");
        Constant c = oursConstant();
        return String.format(Locale.ROOT, "frontdoor: %s records/s protobuf, %s records/s JSON, %s CPU per record at %s/s",
                proto == null ? "-" : String.format(Locale.ROOT, "%.0f", proto.processedPerSecond()),
                json == null ? "-" : String.format(Locale.ROOT, "%.0f", json.processedPerSecond()),
                c == null ? "-" : String.format(Locale.ROOT, "%.1f", c.cpuMicrosPerRecord()),
                c == null ? "12000" : String.format(Locale.ROOT, "%.0f", c.rate));
    }

    /** Our figures against the old service's and the targets (5×, 3×, half the CPU). */
    String comparison(Reference old) {
        Saturated proto = ours("protobuf");
        Saturated json = ours("JSON");
        Constant c = oursConstant();
        StringBuilder b = new StringBuilder();
        b.append("| measure | ours | ").append(old.source).append(" | ratio | issue's target |\n|---|---|---|---|---|\n");
        if (proto != null) {
            b.append(row("processed records/s, protobuf (old: JSON)", proto.processedPerSecond(), old.processedPerSecond, "≥ 5×"));
        }
        if (json != null) b.append(row("processed records/s, JSON", json.processedPerSecond(), old.processedPerSecond, "≥ 3×"));
        if (json != null) b.append(row("accepted records/s, JSON", json.acceptedPerSecond(), old.acceptedPerSecond, ""));
        if (c != null) {
            b.append(String.format(Locale.ROOT, "| CPU µs per record at %,.0f/s | %.1f | %.1f | %.2f× | ≤ 0.5× |%n", c.rate,
                    c.cpuMicrosPerRecord(), old.cpuMicrosPerRecord, c.cpuMicrosPerRecord() / old.cpuMicrosPerRecord));
        }
        return b.toString();
    }

    private static String row(String what, double ours, double old, String target) {
        return String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f× | %s |%n", what, ours, old, ours / old, target);
    }

    String tables() {
        StringBuilder b = new StringBuilder();
        b.append("| target | bodies | load before (1/5/15 min) | records accepted | accepted/s | records processed | processed/s (first request → last record visible) | check |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Saturated s : saturated) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %,d | %,.0f | %,d | %,.0f (%.1f s) | %s |%n", s.target, s.encoding,
                    s.loadBefore, s.accepted, s.acceptedPerSecond(), s.processed, s.processedPerSecond(), s.visibleSeconds, s.check));
        }
        b.append("\n| target | rate | load before | records accepted | window s | CPU (cores) | CPU µs per record (of it JIT) | check |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Constant c : constant) {
            b.append(String.format(Locale.ROOT, "| %s | %,.0f/s | %s | %,d | %.1f | %.2f | %.1f (%.1f) | %s |%n", c.target, c.rate,
                    c.loadBefore, c.accepted, c.seconds, c.cores(), c.cpuMicrosPerRecord(), c.jitNanos / 1000.0 / Math.max(1, c.accepted),
                    c.check));
        }
        return b.toString();
    }
}
