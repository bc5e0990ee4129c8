package org.correlationstation.bench.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.correlationstation.bench.api.ConstantRateClient;
import org.correlationstation.bench.ingest.IngestReport.KafkaCheck;
import org.correlationstation.bench.ingest.IngestReport.Phase;
import org.correlationstation.bench.ingest.IngestReport.Protocol;
import org.correlationstation.bench.load.CommandLine;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.testing.FreePorts;

/**
 * The ingest service alone (bench/README.md, "Ingest"): its own JVM started by the launcher
 * ({@code bin/correlation-station ingest}) against a Kafka broker in another JVM ({@link BenchBroker}),
 * driven from this JVM over OTLP/HTTP protobuf, OTLP/gRPC and OTLP/HTTP JSON, each saturated and then at
 * a constant rate, with the ingest JVM's CPU per event from /proc and every phase checked against what
 * reached the topics. Run through {@code bench/ingest.sh}.
 */
public final class IngestBenchmark {
    private static final String SPANS_TOPIC = "otlp_spans";
    private static final String LOGS_TOPIC = "otlp_logs";
    /** The JIT compiler threads' names as /proc shows them ("C2 CompilerThread0" cut at 15 characters). */
    private static final String JIT_THREADS = "CompilerThre";

    private final CommandLine args;
    private final Path root;
    private final Path work;
    private final long jvmWarmupSeconds;
    private final long warmupSeconds;
    private final long seconds;
    private final long rateWarmupSeconds;
    private final long rateSeconds;
    private final double fixedRate;
    private final ProtocolDriver.Shape shape;
    private final List<Protocol> protocols = new ArrayList<>();
    /** Loaded into the ingest JVM around each saturated measured run; null: off. */
    private final AsyncProfiler profiler;
    private final String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    private final IngestReport report = new IngestReport();
    private long nextRequest;

    private IngestBenchmark(CommandLine args) throws IOException {
        this.args = args;
        this.root = Path.of(args.get("root", ".")).toAbsolutePath().normalize();
        this.work = WorkDir.create("ingest-bench");
        this.jvmWarmupSeconds = args.getLong("jvm-warmup", 30);
        this.warmupSeconds = args.getLong("warmup", 10);
        this.seconds = args.getLong("seconds", 20);
        this.rateWarmupSeconds = args.getLong("rate-warmup", 5);
        this.rateSeconds = args.getLong("rate-seconds", 20);
        this.fixedRate = args.getDouble("rate", 0);
        this.shape = new ProtocolDriver.Shape(args.getInt("connections", 8), args.getInt("rate-connections", 32),
                args.getInt("grpc-channels", 4), args.getInt("grpc-in-flight", 2));
        for (String p : args.get("protocols", "protobuf,grpc,json").split(",")) protocols.add(Protocol.of(p.trim()));
        String asprofLib = args.get("asprof-lib", "");
        this.profiler = asprofLib.isEmpty() ? null : new AsyncProfiler(asprofLib);
    }

    public static void main(String[] argv) throws Exception {
        CommandLine args = new CommandLine(argv);
        IngestBenchmark bench = new IngestBenchmark(args);
        String command = args.get("command", "bench/ingest.sh");
        int partitions = args.getInt("partitions", 2);
        long roundEvents = args.getLong("round-events", 100_000);
        String ingestJavaOpts = args.get("ingest-java-opts", "");
        args.rejectUnknown();
        try {
            bench.run(command, partitions, roundEvents, ingestJavaOpts);
        } catch (Exception | Error e) {
            System.err.println("the run failed; its processes' logs are in " + bench.work);
            throw e;
        }
        WorkDir.delete(bench.work);
        System.exit(0);
    }

    private void run(String command, int partitions, long roundEvents, String ingestJavaOpts) throws Exception {
        // Traces of ~20 spans with about a log per span, no long tail: every trace whole within a round.
        TrafficProfile profile = TrafficProfile.defaults().withLongTail(0).withLate(0, 0);
        long t0 = System.nanoTime();
        RequestPool pool = RequestPool.generate(profile, 1, roundEvents, 100_000);
        System.out.printf(Locale.ROOT, "== %,d requests of %.0f events on average per round (%,d events), encoded in %.1f s%n",
                pool.size(), pool.eventsPerRequest(), pool.eventsPerRound(), (System.nanoTime() - t0) / 1e9);

        try (ChildProcess broker = ChildProcess.start("broker", List.of(Machine.jdkTool("java"), "-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
                        "-Dlog4j2.configurationFile=" + root.resolve("bench/target/classes/e2e-log4j2.properties"),
                        "-cp", System.getProperty("java.class.path"), BenchBroker.class.getName(),
                        "--partitions", Integer.toString(partitions)), Map.of(), root, work.resolve("broker.log"))) {
            String bootstrap = broker.awaitLine(l -> l.startsWith("bootstrap="), Duration.ofSeconds(120)).substring("bootstrap=".length());
            int[] ports = FreePorts.distinct(2); // below the ephemeral range: no client socket takes them meanwhile
            int httpPort = ports[0];
            int grpcPort = ports[1];
            Map<String, String> env = new LinkedHashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
            env.put("KAFKA_SPANS_TOPIC", SPANS_TOPIC);
            env.put("KAFKA_LOGS_TOPIC", LOGS_TOPIC);
            env.put("KAFKA_SPANS_ENCODING", "otlp_proto");
            env.put("KAFKA_LOGS_ENCODING", "otlp_proto");
            env.put("OTLP_HTTP_PORT", Integer.toString(httpPort));
            env.put("OTLP_GRPC_PORT", Integer.toString(grpcPort));
            env.put("LOG_LEVEL", "warn");
            env.put("JAVA_OPTS", ingestJavaOpts);
            env.put("CORRELATION_STATION_MAVEN_ARGS", "-o");
            System.out.printf("== broker %s at %s; ingest: %s%n", broker, bootstrap, describe(env));
            try (ChildProcess ingest = ChildProcess.start("ingest", List.of(root.resolve("bin/correlation-station").toString(), "ingest"),
                            env, root, work.resolve("ingest.log"));
                    KafkaTally tally = new KafkaTally(bootstrap, SPANS_TOPIC, LOGS_TOPIC)) {
                awaitReady(ingest, httpPort);
                System.out.println("== ingest ready: " + ingest);
                warmUp(pool, httpPort, grpcPort);
                for (Protocol protocol : protocols) {
                    measure(protocol, pool, ingest, broker, tally, httpPort, grpcPort);
                }
                ingest.stop(Duration.ofSeconds(30));
            }
        }
        write(command, pool, partitions, ingestJavaOpts);
    }

    /**
     * Every protocol saturated in turn, unmeasured, before any is measured: the JVM compiles the paths
     * they share (the Kafka writer, the splitter) during the first, and its JIT threads would otherwise
     * take a share of the first protocol's measured run that the others do not pay.
     */
    private void warmUp(RequestPool pool, int httpPort, int grpcPort) throws Exception {
        if (jvmWarmupSeconds <= 0) return;
        long each = Math.max(1, jvmWarmupSeconds / protocols.size());
        System.out.printf("== JVM warm-up: %d s saturated per protocol, not measured%n", each);
        for (Protocol protocol : protocols) {
            try (ProtocolDriver driver = ProtocolDriver.of(protocol, pool, nextRequest, httpPort, grpcPort, shape)) {
                driver.run(0, each);
                nextRequest = driver.next();
            }
        }
    }

    private void measure(Protocol protocol, RequestPool pool, ChildProcess ingest, ChildProcess broker, KafkaTally tally,
            int httpPort, int grpcPort) throws Exception {
        ProtocolDriver driver = ProtocolDriver.of(protocol, pool, nextRequest, httpPort, grpcPort, shape);
        try {
            System.out.printf("== %s saturated: %d s warm-up, %d s measured%n", protocol.title, warmupSeconds, seconds);
            Phase saturated = phase(protocol, 0, tally, ingest, broker, driver, warmupSeconds, seconds);
            double rate = fixedRate > 0 ? fixedRate : Math.max(1000, Math.round(saturated.eventsPerSecond() / 2 / 1000) * 1000);
            System.out.printf(Locale.ROOT, "== %s at a constant %,.0f events/s: %d s warm-up, %d s measured%n", protocol.title, rate,
                    rateWarmupSeconds, rateSeconds);
            phase(protocol, rate, tally, ingest, broker, driver, rateWarmupSeconds, rateSeconds);
        } finally {
            nextRequest = driver.next();
            driver.close();
        }
    }

    /** A warm-up run, then the measured run with the CPU of each process around it, then the Kafka check of both. */
    private Phase phase(Protocol protocol, double rate, KafkaTally tally, ChildProcess ingest, ChildProcess broker,
            ProtocolDriver driver, long warmup, long measured) throws Exception {
        Map<TopicPartition, Long> before = tally.endOffsets();
        ConstantRateClient.Result warm = driver.run(rate, warmup);
        String load = Machine.loadAverage();
        long ingestCpu = ProcCpu.treeNanos(ingest.pid());
        long jitCpu = ProcCpu.threadNanos(ingest.pid(), JIT_THREADS);
        long brokerCpu = ProcCpu.nanos(broker.pid());
        long driverCpu = ProcCpu.selfNanos();
        Path profile = rate == 0 && profiler != null
                ? root.resolve("bench/results/ingest-" + stamp + "-" + protocol.option + ".collapsed") : null;
        if (profile != null) profiler.start(ingest.pid());
        ConstantRateClient.Result result = driver.run(rate, measured);
        if (profile != null) {
            profiler.stop(ingest.pid(), profile);
            System.out.println("   profile of the measured run: " + root.relativize(profile));
        }
        ingestCpu = ProcCpu.treeNanos(ingest.pid()) - ingestCpu;
        jitCpu = ProcCpu.threadNanos(ingest.pid(), JIT_THREADS) - jitCpu;
        brokerCpu = ProcCpu.nanos(broker.pid()) - brokerCpu;
        driverCpu = ProcCpu.selfNanos() - driverCpu;
        Map<TopicPartition, Long> after = tally.settledEndOffsets(Duration.ofSeconds(1), Duration.ofSeconds(30));
        KafkaTally.Count count = tally.count(before, after);
        KafkaCheck check = new KafkaCheck(warm.okUnits() + result.okUnits(), count.events(), count.records());
        Phase phase = new Phase(protocol, rate, result, ingestCpu, jitCpu, brokerCpu, driverCpu, load, check);
        report.add(phase);
        System.out.printf(Locale.ROOT, "%s %s: %,.0f events/s (%,.1f requests/s), p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, errors %d %s;"
                        + " CPU per event: ingest %.2f µs (JIT %.2f), broker %.2f µs, driver %.2f µs%n  Kafka: %s%n",
                protocol.title, rate == 0 ? "saturated" : "constant", phase.eventsPerSecond(), phase.requestsPerSecond(),
                result.latencyMicros().getValueAtPercentile(50) / 1000.0, result.latencyMicros().getValueAtPercentile(99) / 1000.0,
                result.latencyMicros().getValueAtPercentile(99.9) / 1000.0, result.errors(), result.errorsByStatus(),
                phase.micros(ingestCpu), phase.micros(jitCpu), phase.micros(brokerCpu), phase.micros(driverCpu), check);
        return phase;
    }

    private void write(String command, RequestPool pool, int partitions, String ingestJavaOpts) throws IOException {
        Path file = root.resolve("bench/results/ingest-" + stamp + ".md");
        Files.createDirectories(file.getParent());
        StringBuilder md = new StringBuilder();
        md.append("# Ingest benchmark, ").append(Instant.now()).append("\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores; the ingest service's JVM (`bin/correlation-station ingest`%s), "
                        + "a Kafka broker JVM (KRaft test kit, %d partitions per topic, `acks=all`) and the driver on the same machine. "
                        + "Requests: the load generator's batches, %.0f events each on average (~20-span traces, ~1 log per span; "
                        + "events = spans + log records), pre-encoded; HTTP saturated over %d keep-alive connections (one request in flight each), "
                        + "gRPC over %d channels with %d calls in flight each; constant rates over up to %d connections, latency from each "
                        + "request's scheduled time. First %d s of unmeasured warm-up over all protocols; then per protocol, saturated: %d s warm-up, %d s measured; constant: %d s warm-up, %d s measured. "
                        + "CPU per event: the process's user + system time over the measured run (/proc/<pid>/stat) / events acknowledged.%n%n",
                Runtime.getRuntime().availableProcessors(), ingestJavaOpts.isBlank() ? "" : ", JAVA_OPTS=`" + ingestJavaOpts + "`",
                partitions, pool.eventsPerRequest(), shape.connections(), shape.grpcChannels(), shape.grpcInFlight(), shape.rateConnections(),
                jvmWarmupSeconds, warmupSeconds, seconds, rateWarmupSeconds, rateSeconds));
        md.append(report.table()).append('\n');
        md.append("Kafka check: the events in the records that reached `otlp_spans` and `otlp_logs` during the phase (warm-up and measured run), "
                + "counted record by record, against the events of the requests answered 2xx / OK.\n\n");
        md.append("Command: `").append(command).append("`\n");
        Files.writeString(file, md.toString());
        System.out.println();
        System.out.print(md);
        System.out.println("results in " + root.relativize(file));
        System.out.println(report.summary());
    }

    private static void awaitReady(ChildProcess ingest, int httpPort) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos(); // the launcher may build the jar first
        while (System.nanoTime() < deadline) {
            if (!ingest.isAlive()) throw new IllegalStateException("the ingest service exited; see " + ingest.log());
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the ingest service was not ready within 5 min; see " + ingest.log());
    }

    private static String describe(Map<String, String> env) {
        StringBuilder b = new StringBuilder();
        env.forEach((k, v) -> {
            if (!v.isEmpty()) b.append(k).append('=').append(v).append(' ');
        });
        return b.toString().trim();
    }
}
