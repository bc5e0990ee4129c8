package org.correlationstation.bench.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.correlationstation.bench.load.KafkaTarget;
import org.correlationstation.bench.load.LoadDriver;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.bench.load.TrafficGenerator;
import org.correlationstation.bench.load.TrafficProfile;

/**
 * The bench's generator at a steady rate into the cluster's Kafka topics, on a thread of its own, with
 * its manifest (every trace sent) kept for the checks. The manifest and the event counts
 * cover every phase sent so far.
 */
final class SteadyLoad {
    /** Traces of at most 200 spans (no long tail past the caps), no root spans held back. */
    static final TrafficProfile PROFILE = TrafficProfile.defaults().withSpansPerTrace(10, 200).withLongTail(0).withLate(0, 0);

    private static final long SEED = 20261204L;
    private static final Duration MAX_PHASE = Duration.ofMinutes(10);

    private final List<TrafficGenerator> generators = new ArrayList<>();
    /** The probes' own generator: the load's is not thread-safe. */
    private final TrafficGenerator probes = new TrafficGenerator(PROFILE, SEED - 1);
    private final KafkaTarget target;
    private final List<SentTrace> manifest = new ArrayList<>();
    private Thread thread;
    private volatile LoadDriver driver;
    private volatile Exception failure;

    SteadyLoad(String bootstrapServers) {
        target = new KafkaTarget(bootstrapServers, "otlp_spans", "otlp_logs", "otlp_proto", "lz4");
    }

    /** Starts sending {@code eventsPerSecond} on a thread of its own, until {@link #stopAndAwait()} (10 minutes at most). */
    synchronized void start(double eventsPerSecond) {
        if (thread != null && thread.isAlive()) throw new IllegalStateException("the previous phase is still sending");
        // A generator per phase: the driver's schedule counts from its generator's first event.
        TrafficGenerator generator = new TrafficGenerator(PROFILE, SEED + generators.size());
        generators.add(generator);
        driver = new LoadDriver(generator, target, eventsPerSecond, 0, MAX_PHASE, (trace, intended) -> {
                    synchronized (manifest) {
                        manifest.add(trace);
                    }
                });
        thread = new Thread(() -> {
            try {
                driver.run();
            } catch (Exception e) {
                failure = e;
            }
        }, "steady-load");
        thread.start();
    }

    /** Stops the phase's load and waits until everything it generated was sent and acknowledged by Kafka. */
    void stopAndAwait() throws Exception {
        driver.stop();
        thread.join();
        if (failure != null) throw failure;
        if (target.errors() > 0) throw new IllegalStateException(target.errors() + " batches were not acknowledged", target.firstError());
    }

    List<SentTrace> traces() {
        synchronized (manifest) {
            return List.copyOf(manifest);
        }
    }

    /**
     * Sends one more trace now, outside the steady load (which may have ended), and returns it: a
     * probe whose record shows when the job is fresh again. It is part of the manifest and the counts.
     */
    SentTrace probe() {
        SentTrace trace;
        synchronized (probes) {
            trace = probes.nextTrace(System.currentTimeMillis(), target::send);
            probes.flush(target::send);
        }
        target.flush();
        synchronized (manifest) {
            manifest.add(trace);
        }
        return trace;
    }

    /** Spans sent so far (call between phases: the generators are not thread-safe). */
    long spans() {
        synchronized (probes) {
            return probes.spans() + generators.stream().mapToLong(TrafficGenerator::spans).sum();
        }
    }

    /** Logs sent so far, with and without trace context. */
    long logs() {
        synchronized (probes) {
            return probes.tracedLogs() + probes.untracedLogs()
                    + generators.stream().mapToLong(g -> g.tracedLogs() + g.untracedLogs()).sum();
        }
    }

    void close() {
        target.close();
    }
}
