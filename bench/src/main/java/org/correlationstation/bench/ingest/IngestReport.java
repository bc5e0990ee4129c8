package org.correlationstation.bench.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.correlationstation.bench.api.ConstantRateClient;

/** The ingest bench's phases and how they read: the markdown table and the summary line. */
public final class IngestReport {
    /** The three ways in, in the order the summary names them. */
    public enum Protocol {
        HTTP_PROTOBUF("protobuf", "OTLP/HTTP protobuf"),
        GRPC("grpc", "OTLP/gRPC"),
        HTTP_JSON("json", "OTLP/HTTP JSON");

        public final String option;
        public final String title;

        Protocol(String option, String title) {
            this.option = option;
            this.title = title;
        }

        public static Protocol of(String option) {
            for (Protocol p : values()) if (p.option.equals(option)) return p;
            throw new IllegalArgumentException("unknown protocol " + option + " (protobuf, grpc, json)");
        }
    }

    /**
     * Events the driver got a 2xx (gRPC OK) for, against the events counted in the records that reached
     * the topics over the same phase (warm-up included), and those records.
     */
    public record KafkaCheck(long acknowledgedEvents, long kafkaEvents, long kafkaRecords) {
        public boolean matches() {
            return acknowledgedEvents == kafkaEvents;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d events acknowledged, %,d in Kafka (%,d records): %s", acknowledgedEvents,
                    kafkaEvents, kafkaRecords, matches() ? "match" : "MISMATCH");
        }
    }

    /**
     * One measured run: {@code offered} is the constant rate in events/s (0: saturated); CPU times are
     * over the run, in nanoseconds; {@code ingestJitNanos} is the part of the ingest's that its JIT
     * compiler threads took (a JVM still warming up).
     */
    public record Phase(Protocol protocol, double offered, ConstantRateClient.Result result, long ingestCpuNanos,
            long ingestJitNanos, long brokerCpuNanos, long driverCpuNanos, String loadBefore, KafkaCheck check) {
        public boolean saturated() {
            return offered == 0;
        }

        public double eventsPerSecond() {
            return result.okUnits() / Math.max(1e-9, result.elapsedNanos() / 1e9);
        }

        public double requestsPerSecond() {
            return (result.completed() - result.errors()) / Math.max(1e-9, result.elapsedNanos() / 1e9);
        }

        /** Microseconds of a process's CPU per event acknowledged. */
        public double micros(long cpuNanos) {
            return cpuNanos / 1000.0 / Math.max(1, result.okUnits());
        }
    }

    private final List<Phase> phases = new ArrayList<>();

    public void add(Phase p) {
        phases.add(p);
    }

    public List<Phase> phases() {
        return List.copyOf(phases);
    }

    /** {@code ingest: <N> events/s OTLP/HTTP protobuf, <N> events/s OTLP/gRPC, <N> events/s OTLP/HTTP JSON}; "-" for a protocol not run. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        for (Protocol p : Protocol.values()) {
            String n = phases.stream().filter(ph -> ph.protocol == p && ph.saturated()).findFirst()
                    .map(ph -> String.format(Locale.ROOT, "%.0f", ph.eventsPerSecond())).orElse("-");
            parts.add(n + " events/s " + p.title);
        }
        return "ingest: " + String.join(", ", parts);
    }

    /** The results table: one row per measured run. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("| protocol | load | load before (1/5/15 min) | events/s | requests/s | latency p50 / p99 / p99.9 / max (ms) | errors | ingest CPU µs/event (of it JIT) | broker | driver | Kafka check |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            Histogram h = p.result.latencyMicros();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %,.0f | %,.1f | %s | %s | %.2f (%.2f) | %.2f | %.2f | %s |%n",
                    p.protocol.title,
                    p.saturated() ? "saturated" : String.format(Locale.ROOT, "constant %,.0f events/s", p.offered),
                    p.loadBefore, p.eventsPerSecond(), p.requestsPerSecond(),
                    String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f", h.getValueAtPercentile(50) / 1000.0,
                            h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0),
                    p.result.errors() == 0 ? "0" : p.result.errors() + " " + p.result.errorsByStatus(),
                    p.micros(p.ingestCpuNanos), p.micros(p.ingestJitNanos), p.micros(p.brokerCpuNanos), p.micros(p.driverCpuNanos), p.check));
        }
        return b.toString();
    }
}
