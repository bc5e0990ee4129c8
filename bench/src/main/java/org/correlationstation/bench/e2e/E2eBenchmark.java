package org.correlationstation.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.bench.check.RecordChecker;
import org.correlationstation.bench.ingest.ProcCpu;
import org.correlationstation.bench.load.CommandLine;
import org.correlationstation.bench.load.KafkaTarget;
import org.correlationstation.bench.load.LoadDriver;
import org.correlationstation.bench.load.ProgressBar;
import org.correlationstation.bench.load.SentManifest;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.bench.load.TrafficGenerator;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.core.testing.RedisCluster;
import org.correlationstation.core.testing.RedisServer;
import org.correlationstation.job.CorrelationPipeline;

/**
 * The end-to-end benchmark in one JVM: an embedded KRaft broker, redis-server, counting Loki/Tempo
 * receivers and one MiniCluster. It preloads a topic pair before any clock starts, then runs the job and
 * the {@link ReferencePipeline} interleaved on that input at each parallelism, round after round (the
 * first {@code --warmup-rounds} warm the JVM up and are reported but not counted); then the job alone at
 * a constant 50% of its measured rate for freshness, state size and memory (the soak). Writes a markdown table and an HTML
 * chart under the output directory; the last line printed is the summary. See bench/README.md.
 */
public final class E2eBenchmark {
    private static final String SPANS = "bench_spans";
    private static final String LOGS = "bench_logs";
    private static final int PARTITIONS = 2;
    private static final String JOB_OPTION_PREFIX = "bench.job.";
    /** A run ends early when this share of the preloaded events is through: the input ran dry. */
    private static final double EXHAUSTED = 0.97;

    private final CommandLine args;
    private final int duration;
    private final int warmup;
    private final int soak;
    /** Events/s of the constant-rate run; 0: half the job's measured rate at the top parallelism. */
    private final double soakRate;
    private final int rounds;
    /**
     * Rounds of warm-up before the counted ones. Two: in the second round the JIT compiler threads still
     * used a tenth of the job's CPU (a TaskManager running for days does not pay that); from the third on,
     * hardly any.
     */
    private final int warmupRounds;
    private final long checkpointIntervalMs;
    private final int[] parallelisms;
    /** Primaries of a Redis Cluster the job also runs against, beside one redis-server, in every round; 0: none. */
    private final int redisClusterPrimaries;
    private final Path outDir;
    private final String command;
    private final Path work;
    private final TrafficProfile profile;
    private final StringBuilder log = new StringBuilder();

    private EmbeddedKafka kafka;
    private RedisUnderTest redis;
    /** The Redis Cluster of {@code --redis-cluster}, or null. */
    private RedisUnderTest redisCluster;
    private CountingReceivers receivers;
    private BenchCluster cluster;
    private long preloaded;
    private int jobCounter;

    /**
     * {@code cpuMicrosPerEvent}: CPU time of this JVM and of {@code redis-server} over the window per event
     * ({@code redisMicrosPerEvent} of it, and {@code jitMicrosPerEvent}: the JIT compiler's): where both cores
     * are busy, events/s is two cores over this. {@code commandsPerPrimary}: on a Redis Cluster, the
     * commands each primary processed over the window per second.
     */
    record Run(String pipeline, int parallelism, int round, double eventsPerSecond, double windowSeconds,
            boolean exhausted, double[] t, double[] rate, List<BenchCluster.Checkpoint> checkpoints, String load,
            double cpuMicrosPerEvent, double redisMicrosPerEvent, double jitMicrosPerEvent, double[] commandsPerPrimary) {}

    record Soak(double rate, Histogram micros, int unseen, double[] t, double[] p50, double[] p99, double[] max,
            double[] heapMiB, double[] heapAfterGcMiB, double[] rssMiB, double[] openTraces, double[] clearedTraces,
            double[][] rocksDb, Histogram[] split, List<BenchCluster.Checkpoint> checkpoints,
            double[] bytesPerOpenTrace, double[] bytesPerHeldTrace, double[] liveBytesPerHeldTrace,
            double[] sstBytesPerHeldTrace, long traces, long spans, RecordChecker.Result checked,
            String checkpointPhases, double[][] cpu) {}

    /**
     * Where the soak's CPU goes, by thread (names as /proc cuts them at 15 characters), beside the whole JVM
     * and redis-server: on two cores its freshness depends on the headroom these leave, and unlike the
     * freshness tail they compare between runs within a few percent. Lettuce's threads serve the bench's
     * freshness probe as well as the job's Redis writers.
     */
    private static final String[] SOAK_CPU_GROUPS = {"correlator", "JIT", "GC", "Redis client", "generator"};
    private static final String[][] SOAK_CPU_THREADS = {{"Correlate trace"}, {"CompilerThre"},
            {"GC Thread", "G1 "}, {"lettuce-"}, {"bench-constant-"}};

    private E2eBenchmark(String[] argv) throws Exception {
        args = new CommandLine(argv);
        duration = args.getInt("duration", 30);
        warmup = args.getInt("warmup", 10);
        soak = args.getInt("soak", 0);
        soakRate = args.getLong("soak-rate", 0);
        rounds = args.getInt("rounds", 1);
        warmupRounds = args.getInt("warmup-rounds", 2);
        checkpointIntervalMs = args.getLong("checkpoint-interval-ms", Long.getLong(JOB_OPTION_PREFIX + "CHECKPOINT_INTERVAL_MS", 10_000));
        parallelisms = Arrays.stream(args.get("parallelism", "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        redisClusterPrimaries = args.getInt("redis-cluster", 0);
        outDir = Path.of(args.get("out", "bench/results"));
        command = args.get("command", "bench/e2e.sh " + String.join(" ", argv));
        profile = args.profile();
        long preloadArg = args.getLong("preload", 0);
        // Enough input for the fastest pipeline's warm-up and window (the reference, up to ~300k events/s at
        // p2): sized for 150k, the reference ran dry after 11-20 s of its 30-s window, so its figure left out
        // the checkpoints and state growth the job's window has.
        preloaded = preloadArg > 0 ? preloadArg : 300_000L * (warmup + duration + 5);
        args.rejectUnknown();
        work = Files.createTempDirectory("cs-e2e-");
    }

    public static void main(String[] argv) throws Exception {
        int status = 0;
        HeapAfterGc.get(); // listening from the start: a soak's first seconds have the last collection's figure
        try {
            new E2eBenchmark(argv).run();
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);   // Kafka, Flink and lettuce leave non-daemon threads behind
    }

    private void run() throws Exception {
        String loadStart = ProcessMemory.loadAverage();
        say("work directory " + work + ", load average " + loadStart);
        try (EmbeddedKafka k = EmbeddedKafka.start(Map.of("message.max.bytes", String.valueOf(16 << 20)));
                RedisServer r = RedisServer.launch();
                // no replicas: on two cores they would only take CPU from the job (failover is tested, not benchmarked)
                RedisCluster rc = redisClusterPrimaries > 0 ? RedisCluster.start(redisClusterPrimaries, 0) : null;
                CountingReceivers rec = new CountingReceivers();
                BenchCluster c = new BenchCluster(work, Arrays.stream(parallelisms).max().orElse(2))) {
            kafka = k;
            redis = RedisUnderTest.standalone(r);
            redisCluster = rc == null ? null : RedisUnderTest.cluster(rc);
            receivers = rec;
            cluster = c;
            for (String topic : List.of(SPANS, LOGS, "fresh_spans", "fresh_logs", "otlp_dlq")) kafka.createTopic(topic, PARTITIONS);
            long[] input = preload();

            List<Run> runs = new ArrayList<>();
            // --rounds 0: one round, counted (for a quick look, e.g. before a soak)
            for (int round = 0; round < (rounds == 0 ? 1 : warmupRounds + rounds); round++) {
                for (int p : parallelisms) {
                    runs.add(measure(redis.pipeline(), p, round, redis, receivers::events, () -> resetJobSinks(redis),
                            CorrelationPipeline::build));
                    runs.add(measure("reference", p, round, redis, ReferencePipeline.EVENTS::sum, ReferencePipeline.EVENTS::reset,
                            ReferencePipeline::build));
                    if (redisCluster != null) {
                        runs.add(measure(redisCluster.pipeline(), p, round, redisCluster, receivers::events,
                                () -> resetJobSinks(redisCluster), CorrelationPipeline::build));
                    }
                }
            }
            int top = Arrays.stream(parallelisms).max().orElse(2);
            double best = median(runs, "job", top);
            Soak soakRun = soak(soakRate > 0 ? soakRate : 0.5 * best, top);
            String loadEnd = ProcessMemory.loadAverage();
            report(runs, soakRun, input, loadStart, loadEnd, top);
        } finally {
            deleteRecursively(work);   // checkpoints and RocksDB files of every run
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("[e2e] could not remove " + dir + ": " + e);
        }
    }

    /** Fills the input topics flat out, before any clock starts. Returns spans, traced logs, untraced logs, traces. */
    private long[] preload() throws Exception {
        say(String.format(Locale.ROOT, "preloading %,d events into %s/%s", preloaded, SPANS, LOGS));
        TrafficGenerator generator = new TrafficGenerator(profile, args.getLong("seed", 1));
        long start = System.nanoTime();
        try (KafkaTarget target = new KafkaTarget(kafka.bootstrapServers(), SPANS, LOGS, "otlp_proto", "none")) {
            LoadDriver driver = new LoadDriver(generator, target, 0, preloaded, Duration.ofHours(1), null);
            try (ProgressBar bar = new ProgressBar(System.err, preloaded, 3600, driver::events, target::errors)) {
                driver.run();
            }
            if (target.errors() > 0) throw new IllegalStateException("preload: " + target.errors() + " failed sends", target.firstError());
        }
        preloaded = generator.events();
        say(String.format(Locale.ROOT, "preloaded %,d events (%,d spans, %,d traced logs, %,d untraced logs, %,d traces) in %.1f s",
                preloaded, generator.spans(), generator.tracedLogs(), generator.untracedLogs(), generator.traces(),
                (System.nanoTime() - start) / 1e9));
        return new long[] {generator.spans(), generator.tracedLogs(), generator.untracedLogs(), generator.traces()};
    }

    private void resetJobSinks(RedisUnderTest target) {
        receivers.reset();
        target.flushAll().run();
    }

    private Settings settings(int parallelism, String spans, String logs, String offsets, RedisUnderTest target) {
        int n = ++jobCounter;
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_SPANS_TOPIC", spans);
        env.put("KAFKA_LOGS_TOPIC", logs);
        env.put("KAFKA_GROUP_ID", "bench-" + n);
        env.put("KAFKA_STARTING_OFFSETS", offsets);
        env.put("REDIS_URL", target.uri());
        env.put("LOKI_URL", receivers.lokiPushUrl());
        env.put("TEMPO_HTTP_ENDPOINT", receivers.tempoHttpEndpoint());
        env.put("CHECKPOINT_DIR", work.resolve("checkpoints-" + n).toUri().toString());
        env.put("CHECKPOINT_INTERVAL_MS", Long.toString(checkpointIntervalMs));
        env.put("PARALLELISM", Integer.toString(parallelism));
        // Experiments with the job's own options (docs/configuration.md): -Dbench.job.<ENV_NAME>=<value>,
        // last, so that they win over the benchmark's own (CHECKPOINT_INTERVAL_MS above was silently kept).
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(JOB_OPTION_PREFIX)) env.put(key.substring(JOB_OPTION_PREFIX.length()), System.getProperty(key));
        }
        return Settings.from(env, new String[0]);
    }

    /** One run of {@code pipeline} writing to {@code target} (whose CPU time counts), from the preloaded input. */
    private Run measure(String pipeline, int parallelism, int round, RedisUnderTest target, LongSupplier events, Runnable reset,
            BiConsumer<StreamExecutionEnvironment, Settings> build) throws Exception {
        reset.run();
        String load = ProcessMemory.loadAverage();
        JobID job = cluster.submit(pipeline.replace(", ", "-").replace(' ', '-') + "-p" + parallelism + "-r" + round,
                settings(parallelism, SPANS, LOGS, "earliest", target), build);
        List<double[]> samples = new ArrayList<>();   // {seconds since submit, events}
        long t0 = System.nanoTime();
        double firstEvent = -1;
        double windowStart = -1;
        long atWindowStart = 0;
        long[] cpuAtWindowStart = null;
        Map<Integer, Long> commandsAtWindowStart = Map.of();
        double lastProgress = 0;
        long last = 0;
        boolean exhausted = false;
        double end;
        long atEnd;
        while (true) {
            long tick = t0 + (samples.size() + 1) * 1_000_000_000L;
            Thread.sleep(Math.max(0, (tick - System.nanoTime()) / 1_000_000));   // the sampling schedule, one per second
            double t = (System.nanoTime() - t0) / 1e9;
            long n = events.getAsLong();
            samples.add(new double[] {t, n});
            if (n > last) lastProgress = t;
            last = n;
            if (cluster.status(job).isGloballyTerminalState()) throw new IllegalStateException(pipeline + " stopped" + cluster.failure(job));
            if (t - lastProgress > 90) throw new IllegalStateException(pipeline + ": no progress for 90 s at " + n + " events");
            if (firstEvent < 0 && n > 0) firstEvent = t;
            if (samples.size() % 5 == 0) say(String.format(Locale.ROOT, "  %s t=%.0f s: %,d events (%s)", pipeline, t, n, pipeline.startsWith("job") ? receivers.describe() : "keyed state"));
            if (firstEvent >= 0 && windowStart < 0 && t >= firstEvent + warmup) {
                windowStart = t;
                atWindowStart = n;
                cpuAtWindowStart = cpuNanos(target);
                commandsAtWindowStart = target.commandsPerPrimary().get();
            }
            exhausted = n >= EXHAUSTED * preloaded;
            if (exhausted && windowStart < 0) throw new IllegalStateException("the preloaded input ran dry during warm-up: raise --preload");
            if (windowStart >= 0 && (t >= windowStart + duration || exhausted)) {
                end = t;
                atEnd = n;
                break;
            }
        }
        long[] cpuAtEnd = cpuNanos(target);
        Map<Integer, Long> commandsAtEnd = target.commandsPerPrimary().get();
        double windowEvents = Math.max(1, atEnd - atWindowStart);
        double cpuMicrosPerEvent = (cpuAtEnd[0] - cpuAtWindowStart[0] + cpuAtEnd[1] - cpuAtWindowStart[1]) / 1e3 / windowEvents;
        double redisMicrosPerEvent = (cpuAtEnd[1] - cpuAtWindowStart[1]) / 1e3 / windowEvents;
        double jitMicrosPerEvent = (cpuAtEnd[2] - cpuAtWindowStart[2]) / 1e3 / windowEvents;
        List<BenchCluster.Checkpoint> checkpoints = cluster.completedCheckpoints(job);
        String taskTimes = cluster.taskTimes();
        say("  task time (ms per second, subtask) at the end of the window:\n" + taskTimes);
        if (pipeline.startsWith("job")) {
            // How much correlator work the input caused: emissions per trace, late and expired events.
            double traces = cluster.metric("correlation_open_traces");
            say(String.format(Locale.ROOT, "  correlator: %,.0f traces open, %,.0f records emitted (%.2f per trace), %,.0f late, %,.0f expired",
                    traces, cluster.metric("correlation_records_emitted"),
                    cluster.metric("correlation_records_emitted") / Math.max(1, traces),
                    cluster.metric("correlation_late_events"), cluster.metric("correlation_expired_events")));
        }
        cluster.cancel(job);
        double rate = (atEnd - atWindowStart) / (end - windowStart);
        double window = end - windowStart;
        Map<Integer, Long> commandsFrom = commandsAtWindowStart;
        double[] commandsPerPrimary = commandsAtEnd.entrySet().stream()
                .filter(e -> commandsFrom.containsKey(e.getKey()))
                .mapToDouble(e -> (e.getValue() - commandsFrom.get(e.getKey())) / window).toArray();
        double[] ts = new double[samples.size()];
        double[] rates = new double[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            ts[i] = samples.get(i)[0];
            rates[i] = i == 0 ? samples.get(0)[1] / ts[0] : (samples.get(i)[1] - samples.get(i - 1)[1]) / (ts[i] - ts[i - 1]);
        }
        Run run = new Run(pipeline, parallelism, round, rate, end - windowStart, exhausted, ts, rates, checkpoints, load,
                cpuMicrosPerEvent, redisMicrosPerEvent, jitMicrosPerEvent, commandsPerPrimary);
        if (commandsPerPrimary.length > 0) {
            say("  commands per second on each primary: " + Arrays.toString(Arrays.stream(commandsPerPrimary).mapToLong(Math::round).toArray()));
        }
        say(String.format(Locale.ROOT, "round %d %-9s p%d: %,.0f events/s over %.0f s%s, %.1f µs CPU per event (JIT %.1f; load %s)", round,
                pipeline, parallelism, rate, end - windowStart, exhausted ? ", input ran dry" : "", cpuMicrosPerEvent, jitMicrosPerEvent, load));
        return run;
    }

    /** CPU seconds so far of the JVM, of redis-server and of each of {@link #SOAK_CPU_THREADS} (0 where not known). */
    private static double[] soakCpuSeconds(RedisUnderTest target) {
        long[] threads = ProcCpu.threadGroupNanos(ProcessHandle.current().pid(), SOAK_CPU_THREADS);
        double[] seconds = new double[2 + threads.length];
        seconds[0] = ProcCpu.selfNanos() / 1e9;
        seconds[1] = target.cpuNanos() / 1e9;
        for (int g = 0; g < threads.length; g++) seconds[2 + g] = threads[g] / 1e9;
        return seconds;
    }

    /** {JVM, redis-server, the JVM's JIT compiler threads} CPU time so far, in nanoseconds (0 where not known). */
    private long[] cpuNanos(RedisUnderTest target) {
        return new long[] {Math.max(0, ProcCpu.selfNanos()), target.cpuNanos(), ProcessMemory.compilerCpuNanos()};
    }

    private Soak soak(double rate, int parallelism) throws Exception {
        int seconds = Math.max(duration, soak) + warmup;
        say(String.format(Locale.ROOT, "constant rate %,.0f events/s for %d s (freshness, state, memory)", rate, seconds));
        resetJobSinks(redis);
        Settings jobSettings = settings(parallelism, "fresh_spans", "fresh_logs", "earliest", redis);
        JobID job = cluster.submit("job-constant-rate", jobSettings, CorrelationPipeline::build);
        TrafficGenerator generator = new TrafficGenerator(profile, args.getLong("seed", 1) + 1);
        // t, p50, p99, max (ms), heap, rss (MiB), open traces, traces sent, heap after GC (MiB), traces cleared so far,
        // RocksDB background work (4), RocksDB live data and SST files (bytes)
        List<double[]> rows = new ArrayList<>();
        AtomicLong tracesSent = new AtomicLong();
        Histogram total = new Histogram(3);
        int unseen;
        Histogram[] split;
        Path manifestFile = work.resolve("constant-rate-sent.tsv");
        RecordChecker.Result checked;
        try (FreshnessProbe probe = new FreshnessProbe(redis.uri());
                SentManifest manifest = new SentManifest(manifestFile);
                KafkaTarget target = new KafkaTarget(kafka.bootstrapServers(), "fresh_spans", "fresh_logs", "otlp_proto", "none")) {
            LoadDriver driver = new LoadDriver(generator, target, rate, 0, Duration.ofSeconds(seconds), (trace, intended) -> {
                probe.sent(trace, intended);
                manifest.sent(trace, intended);
                tracesSent.incrementAndGet();
            });
            Thread sender = new Thread(() -> {
                try {
                    driver.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "bench-constant-rate");
            sender.start();
            long t0 = System.nanoTime();
            double openTraces = 0;
            double cleared = 0;
            double liveBytes = 0;
            double sstBytes = 0;
            HeapAfterGc.get().lowestSinceLastRead(); // the lowest since here: what came before is not the soak's
            double[] rocksDbAtStart = ProcessMemory.rocksDbBackground();
            double[] cpuAtStart = soakCpuSeconds(redis);
            double[] cpu = new double[cpuAtStart.length];
            for (int i = 1; sender.isAlive(); i++) {
                Thread.sleep(Math.max(0, (t0 + i * 1_000_000_000L - System.nanoTime()) / 1_000_000));
                if (cluster.status(job).isGloballyTerminalState()) throw new IllegalStateException("job stopped" + cluster.failure(job));
                Histogram h = probe.interval();
                if (i > warmup) total.add(h);
                ProcessMemory m = ProcessMemory.now();
                // the reporter renders every metric of the job per scrape: every 5 s keeps its cost out of the figures
                if (i % 5 == 1) {
                    double[] sampled = cluster.metrics("correlation_open_traces", "correlation_cleared_traces",
                            "rocksdb_estimate_live_data_size", "rocksdb_total_sst_files_size");
                    openTraces = sampled[0];
                    cleared = sampled[1];
                    liveBytes = sampled[2];
                    sstBytes = sampled[3];
                    // Once the generator's thread has ended, /proc no longer counts its time: the last sample stays.
                    if (sender.isAlive()) {
                        cpu = soakCpuSeconds(redis);
                        for (int c = 0; c < cpu.length; c++) cpu[c] -= cpuAtStart[c];
                    }
                }
                double[] rocksDb = ProcessMemory.rocksDbBackground();
                rows.add(new double[] {(System.nanoTime() - t0) / 1e9, h.getValueAtPercentile(50) / 1e3,
                        h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, m.heapUsedBytes() / 1048576.0,
                        m.rssBytes() / 1048576.0, openTraces, tracesSent.get(), m.heapAfterGcBytes() / 1048576.0, cleared,
                        rocksDb[0] - rocksDbAtStart[0], rocksDb[1] - rocksDbAtStart[1], rocksDb[2] - rocksDbAtStart[2],
                        rocksDb[3] - rocksDbAtStart[3], liveBytes, sstBytes, cpu[0], cpu[1], cpu[2], cpu[3], cpu[4],
                        cpu[5], cpu[6]});
            }
            sender.join();
            if (target.errors() > 0) throw new IllegalStateException("constant rate: " + target.errors() + " failed sends");
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (probe.pending() > 0 && System.nanoTime() < deadline) Thread.sleep(100);   // stragglers, with a deadline
            FreshnessProbe.Result last = probe.finish();
            total.add(last.micros());
            unseen = last.unseen();
            split = probe.split();
        }
        // every record the run produced against what was sent; the newest traces settle within an emit interval or two
        List<SentTrace> sent = SentManifest.read(manifestFile);
        long checkDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            checked = RecordChecker.check(redis.uri(), sent);
            if (checked.allMatch()) break;
            Thread.sleep(2_000);   // records are re-emitted as traces settle: check again until the deadline
        } while (System.nanoTime() < checkDeadline);
        say("records: " + checked);
        List<BenchCluster.Checkpoint> checkpoints = cluster.completedCheckpoints(job);
        String phases = cluster.checkpointPhases(job);
        say("checkpoint phases (median / max over checkpoints of the slowest subtask):\n" + phases);
        cluster.cancel(job);
        // state per open trace: each checkpoint's full size over the open traces sampled nearest to it
        long t0Millis = System.currentTimeMillis() - (long) (rows.get(rows.size() - 1)[0] * 1000);
        List<Double> perTrace = new ArrayList<>();
        // and over every trace held: open ones and closed ones kept for late events until the TTL (the
        // traces sent so far less those the clean-up cleared)
        List<Double> perHeldTrace = new ArrayList<>();
        for (BenchCluster.Checkpoint c : checkpoints) {
            double at = (c.completedAtMillis() - t0Millis) / 1000.0;
            double[] nearest = rows.stream().min((a, b) -> Double.compare(Math.abs(a[0] - at), Math.abs(b[0] - at))).orElseThrow();
            if (nearest[6] > 0) perTrace.add(c.fullBytes() / nearest[6]);
            double held = nearest[7] - nearest[9]; // sent so far, less those the clean-up cleared
            if (held > 0) perHeldTrace.add(c.fullBytes() / held);
        }
        return new Soak(rate, total, unseen, column(rows, 0), column(rows, 1), column(rows, 2), column(rows, 3),
                column(rows, 4), column(rows, 8), column(rows, 5), column(rows, 6), column(rows, 9),
                new double[][] {column(rows, 10), column(rows, 11), column(rows, 12), column(rows, 13)}, split, checkpoints,
                perTrace.stream().mapToDouble(Double::doubleValue).toArray(),
                perHeldTrace.stream().mapToDouble(Double::doubleValue).toArray(), perHeld(rows, 14), perHeld(rows, 15),
                generator.traces(), generator.spans(), checked, phases,
                IntStream.range(16, 16 + 2 + SOAK_CPU_GROUPS.length).mapToObj(c -> column(rows, c)).toArray(double[][]::new));
    }

    private void report(List<Run> runs, Soak s, long[] input, String loadStart, String loadEnd, int top) throws Exception {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Files.createDirectories(outDir);
        double job = median(runs, "job", top);
        double ref = median(runs, "reference", top);
        double p99 = s.micros.getValueAtPercentile(99) / 1e3;
        StringBuilder md = new StringBuilder();
        md.append("# End-to-end benchmark ").append(stamp).append("\n\n");
        md.append("Command: `").append(command).append("`  \n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores, JVM %s, max heap %d MiB; load average at start `%s`, at end `%s`.  %n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, loadStart, loadEnd));
        md.append("**Figures taken while other builds and tests shared the machine are noisy; compare ratios within one run, "
                + "not absolute figures across runs.**\n\n");
        md.append(String.format(Locale.ROOT, "Input: %,d events preloaded (%,d spans, %,d traced logs, %,d untraced logs; %,d traces, "
                        + "mean %.1f spans per trace) on %d partitions per topic, otlp_proto, batches of %d events. "
                        + "Checkpoints every %d ms, RocksDB, incremental, exactly-once. Warm-up %d s, window %d s.%n%n",
                preloaded, input[0], input[1], input[2], input[3], (double) input[0] / input[3], PARTITIONS,
                profile.batchSize(), checkpointIntervalMs, warmup, duration));
        md.append("## Throughput (Kafka in → Redis + Loki + Tempo acknowledged)\n\n");
        md.append("Job: spans acknowledged by Tempo + log entries by Loki per second; reference: events through its keyed state per second. "
                + (rounds == 0 ? "One round only (`--rounds 0`): counted, though the JVM was not warmed up.\n\n"
                        : String.format(Locale.ROOT, "Rounds 0 to %d warm the JVM up and are not counted.%n%n", warmupRounds - 1)));
        md.append("CPU per event: CPU time of this JVM (broker, receivers and all) and of `redis-server` over the window, per "
                + "event (of it `redis-server`'s, and the JIT compiler threads', which falls as the JVM warms up). Where both cores are busy, events/s is about the two cores over this, and the "
                + "ratio of two such pipelines is the reference's CPU per event over the job's.\n\n");
        md.append("| round | pipeline | parallelism | events/s | CPU µs per event (redis-server, JIT) | window s | load average | checkpoints (median / max ms) |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            long[] d = r.checkpoints.stream().mapToLong(BenchCluster.Checkpoint::durationMillis).sorted().toArray();
            md.append(String.format(Locale.ROOT, "| %d%s | %s | %d | %,.0f%s | %.1f (%.1f, %.1f) | %.0f | %s | %s |%n", r.round,
                    counted(r) ? "" : " (warm-up)", r.pipeline, r.parallelism, r.eventsPerSecond,
                    r.exhausted ? " (input ran dry)" : "", r.cpuMicrosPerEvent, r.redisMicrosPerEvent, r.jitMicrosPerEvent,
                    r.windowSeconds, r.load,
                    d.length == 0 ? "none" : d[d.length / 2] + " / " + d[d.length - 1]));
        }
        md.append("\n| parallelism | job events/s | reference events/s | ratio | CPU µs per event, job / reference | reference's CPU over the job's |\n"
                + "|---|---|---|---|---|---|\n");
        for (int p : parallelisms) {
            double j = median(runs, "job", p);
            double rf = median(runs, "reference", p);
            double jc = median(runs, "job", p, Run::cpuMicrosPerEvent);
            double rc = median(runs, "reference", p, Run::cpuMicrosPerEvent);
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f | %.1f / %.1f | %.2f |%n", p, j, rf, j / rf, jc, rc, rc / jc));
        }
        if (redisCluster != null) md.append(clusterSection(runs));
        md.append(String.format(Locale.ROOT, "%n## Freshness at a constant %,.0f events/s (%s)%n%n", s.rate,
                soakRate > 0 ? "--soak-rate" : "50% of the job's p" + top + " rate"));
        md.append("From each trace's intended send time on the generator's fixed schedule (no coordinated omission) to the first "
                + "SET of its record in Redis (keyspace notification). Traces never seen count with their age at the end.\n\n");
        md.append(String.format(Locale.ROOT, "| traces | p50 ms | p95 ms | p99 ms | max ms | unseen at end |%n|---|---|---|---|---|---|%n"
                        + "| %,d | %.0f | %.0f | %.0f | %.0f | %d |%n",
                s.micros.getTotalCount(), s.micros.getValueAtPercentile(50) / 1e3, s.micros.getValueAtPercentile(95) / 1e3, p99,
                s.micros.getMaxValue() / 1e3, s.unseen));
        md.append(String.format(Locale.ROOT, "%nSplit by the record's `updated_at` (the correlator's clock when it emitted it; over the "
                        + "whole run, warm-up included), p50 / p95 / p99 / max ms: send → emission %s; emission → readable in Redis %s%n",
                percentiles(s.split[0]), percentiles(s.split[1])));
        md.append("\nRecords in Redis against the generator's manifest (`bench/check.sh`): ").append(s.checked).append("\n");
        md.append(String.format(Locale.ROOT, "%n## State, memory and checkpoints over the constant-rate run (%.0f s)%n%n", s.t.length == 0 ? 0 : s.t[s.t.length - 1]));
        double[] perTrace = s.bytesPerOpenTrace;
        md.append(String.format(Locale.ROOT, "- RocksDB state per open trace (checkpoint full size / open traces): %s bytes (per checkpoint: %s); "
                        + "mean %.1f spans per trace%n",
                perTrace.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", median(perTrace)),
                Arrays.toString(Arrays.stream(perTrace).mapToLong(Math::round).toArray()), (double) s.spans / Math.max(1, s.traces)));
        double[] perHeld = s.bytesPerHeldTrace;
        md.append(String.format(Locale.ROOT, "- RocksDB state per trace held (checkpoint full size / traces sent so far less those cleared: open, and "
                        + "closed ones kept for late events until the TTL): %s bytes (per checkpoint: %s); the per-open-trace figure grows "
                        + "while closed traces accumulate within the TTL%n",
                perHeld.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", median(perHeld)),
                Arrays.toString(Arrays.stream(perHeld).mapToLong(Math::round).toArray())));
        md.append(String.format(Locale.ROOT, "- the same as RocksDB counts it, bytes per trace held (mean per quarter of the run): live data "
                        + "(`estimate-live-data-size`) %s; SST files %s; the difference is what compaction has not reclaimed yet%n",
                quarterMeans(s.liveBytesPerHeldTrace, "%.0f"), quarterMeans(s.sstBytesPerHeldTrace, "%.0f")));
        md.append(String.format(Locale.ROOT, "- open traces: %s%n", quarterMeans(s.openTraces, "%.0f")));
        // Clean-up runs once traces are CORRELATION_TTL_SECONDS past closing: with a TTL shorter than the run,
        // freshness and state must stay flat while it does (it is spread over key groups, capped per firing).
        md.append(String.format(Locale.ROOT, "- traces cleared per second (per quarter of the run): %s; %,.0f in all%n",
                quarterRates(s.t, s.clearedTraces), s.clearedTraces.length == 0 ? 0 : s.clearedTraces[s.clearedTraces.length - 1]));
        // Compaction rewrites what the state's growth and its clean-up's deletes leave in RocksDB; on 2 cores
        // every core it takes is one the correlator waits for.
        md.append(String.format(Locale.ROOT, "- RocksDB compactions (thread rocksdb:low), cores per quarter of the run: %s; "
                + "MiB written per second: %s; memtable flushes (rocksdb:high), cores: %s; MiB written per second: %s%n",
                quarterRates(s.t, s.rocksDb[0], "%.3f", 1), quarterRates(s.t, s.rocksDb[1], "%.1f", 1.0 / 1048576),
                quarterRates(s.t, s.rocksDb[2], "%.3f", 1), quarterRates(s.t, s.rocksDb[3], "%.1f", 1.0 / 1048576)));
        // The JVM's and redis-server's CPU over the events sent, and the cores the larger parts of the JVM took
        // (sampled every 5 s).
        double[] perEvent = new double[s.t.length];
        for (int i = 0; i < perEvent.length; i++) perEvent[i] = s.cpu[0][i] + s.cpu[1][i];
        md.append(String.format(Locale.ROOT, "- CPU per event sent, µs (JVM and redis-server, per quarter of the run): %s; "
                + "cores: JVM %s, redis-server %s", quarterRates(s.t, perEvent, "%.1f", 1e6 / s.rate),
                quarterRates(s.t, s.cpu[0], "%.2f", 1), quarterRates(s.t, s.cpu[1], "%.2f", 1)));
        for (int g = 0; g < SOAK_CPU_GROUPS.length; g++) {
            md.append(String.format(Locale.ROOT, ", %s %s", SOAK_CPU_GROUPS[g], quarterRates(s.t, s.cpu[2 + g], "%.2f", 1)));
        }
        md.append(String.format("%n"));
        md.append(String.format(Locale.ROOT, "- freshness p99 of each second, ms (highest per quarter of the run): %s%n",
                perQuarter(s.p99, "%.0f", quarter -> quarter.max().orElse(Double.NaN))));
        md.append(String.format(Locale.ROOT, "- heap used MiB (mean per quarter of the run): %s%n", quarterMeans(s.heapMiB, "%.0f")));
        // Heap used swings with G1's cycles; the lowest heap after a collection in each quarter (after the
        // mixed collections that reclaim the old generation) is the nearest this JVM reports to the live set.
        md.append(String.format(Locale.ROOT, "- heap after GC MiB (lowest per quarter of the run, after the warm-up): %s%n",
                quarterMins(Arrays.copyOfRange(s.heapAfterGcMiB, Math.min(warmup, s.heapAfterGcMiB.length), s.heapAfterGcMiB.length), "%.0f")));
        md.append(String.format(Locale.ROOT, "- RSS MiB (mean per quarter of the run): %s%n", quarterMeans(s.rssMiB, "%.0f")));
        md.append("- checkpoints: ");
        for (BenchCluster.Checkpoint c : s.checkpoints) {
            md.append(String.format(Locale.ROOT, "#%d %d ms %.1f MiB full / %.1f MiB incr; ", c.id(), c.durationMillis(),
                    c.fullBytes() / 1048576.0, c.incrementalBytes() / 1048576.0));
        }
        md.append("\n\nCheckpoint phases over the constant-rate run (per task: median / max over the checkpoints of its slowest subtask; "
                + "the synchronous part runs on the task thread, which processes nothing meanwhile):\n\n").append(s.checkpointPhases());
        md.append("\nJVM and RocksDB are the whole process here (broker, redis-server excluded: separate process; the broker is in this JVM).\n");
        String summary = String.format(Locale.ROOT, "e2e: %.0f events/s, %.2f of reference, freshness p99 %.0f ms", job, job / ref, p99);
        if (redisCluster != null) {
            double onCluster = median(runs, redisCluster.pipeline(), top);
            summary += String.format(Locale.ROOT, "; redis cluster %.0f events/s (%.2f of one redis-server)", onCluster, onCluster / job);
        }
        md.append("\n").append(summary).append("\n");

        Path mdFile = outDir.resolve("e2e-" + stamp + ".md");
        Path htmlFile = outDir.resolve("e2e-" + stamp + ".html");
        md.append("\nChart: [").append(htmlFile.getFileName()).append("](").append(htmlFile.getFileName()).append(")\n");
        Files.writeString(mdFile, md.toString());
        Files.writeString(htmlFile, html(md.toString(), runs, s));
        System.out.println(md);
        say("wrote " + mdFile + " and " + htmlFile);
        System.out.println(summary);
    }

    /**
     * The job on a Redis Cluster beside the job on one redis-server, and how evenly the cluster's primaries
     * share the commands: every record write also touches the single index keys (SPEC §5), each on one node.
     */
    private String clusterSection(List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%n## Redis Cluster (%d primaries, no replicas) beside one redis-server%n%n", redisClusterPrimaries));
        md.append("The same job and input, writing to a Redis Cluster instead of one `redis-server`, in the same rounds. Commands per "
                + "primary: what each primary processed over the window (`INFO stats`), per second and per event; the hottest "
                + "primary holds some of the single index keys, and the 1M-events/s column scales its commands per event.\n\n");
        md.append("| parallelism | events/s, one redis-server | events/s, cluster | ratio | Redis CPU µs per event, one / cluster "
                + "| commands/s per primary | commands per event, hottest primary | hottest primary at 1M events/s |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (int p : parallelisms) {
            double one = median(runs, redis.pipeline(), p);
            double onCluster = median(runs, redisCluster.pipeline(), p);
            Run last = runs.stream().filter(r -> r.pipeline.equals(redisCluster.pipeline()) && r.parallelism == p && counted(r))
                    .reduce((a, b) -> b).orElse(null);
            if (last == null) continue;
            double hottest = Arrays.stream(last.commandsPerPrimary).max().orElse(0);
            double perEvent = hottest / Math.max(1, last.eventsPerSecond);
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f | %.1f / %.1f | %s | %.3f | %,.0f commands/s |%n", p, one, onCluster,
                    onCluster / one, median(runs, redis.pipeline(), p, Run::redisMicrosPerEvent),
                    median(runs, redisCluster.pipeline(), p, Run::redisMicrosPerEvent),
                    Arrays.stream(last.commandsPerPrimary).mapToObj(c -> String.format(Locale.ROOT, "%,.0f", c))
                            .reduce((a, b) -> a + " / " + b).orElse("n/a"), perEvent, perEvent * 1e6));
        }
        return md.toString();
    }

    private String html(String markdown, List<Run> runs, Soak s) {
        SvgChart throughput = new SvgChart("Throughput per second (measured rounds)", "events/s");
        for (Run r : runs) {
            if (counted(r)) throughput.add(r.pipeline + " p" + r.parallelism + " r" + r.round, r.t, r.rate);
        }
        SvgChart latency = new SvgChart(String.format(Locale.ROOT, "Freshness at %,.0f events/s (per second)", s.rate), "ms")
                .add("p50", s.t, s.p50).add("p99", s.t, s.p99).add("max", s.t, s.max);
        SvgChart memory = new SvgChart("Memory over the constant-rate run", "MiB").add("heap used", s.t, s.heapMiB)
                .add("heap after GC", s.t, s.heapAfterGcMiB).add("RSS", s.t, s.rssMiB);
        SvgChart open = new SvgChart("Open traces", "traces").add("open traces", s.t, s.openTraces);
        return "<!doctype html><html><head><meta charset='utf-8'><title>Correlation Station e2e</title></head><body>"
                + throughput.render() + "<br>" + latency.render() + "<br>" + memory.render() + "<br>" + open.render()
                + "<pre>" + SvgChart.escape(markdown) + "</pre></body></html>\n";
    }

    private double median(List<Run> runs, String pipeline, int parallelism) {
        return median(runs, pipeline, parallelism, Run::eventsPerSecond);
    }

    /** Whether {@code r} counts: not a warm-up round, unless there are only warm-up rounds ({@code --rounds 0}). */
    private boolean counted(Run r) {
        return r.round >= warmupRounds || rounds == 0;
    }

    /** The median of {@code measure} over the counted rounds. */
    private double median(List<Run> runs, String pipeline, int parallelism, ToDoubleFunction<Run> measure) {
        double[] values = runs.stream()
                .filter(r -> r.pipeline.equals(pipeline) && r.parallelism == parallelism && counted(r))
                .mapToDouble(measure).toArray();
        return median(values);
    }

    private static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String percentiles(Histogram micros) {
        if (micros.getTotalCount() == 0) return "n/a";
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f / %.0f", micros.getValueAtPercentile(50) / 1e3,
                micros.getValueAtPercentile(95) / 1e3, micros.getValueAtPercentile(99) / 1e3, micros.getMaxValue() / 1e3);
    }

    /** Column {@code column} of each row over the traces held then (sent less cleared), for rows where it was sampled. */
    private static double[] perHeld(List<double[]> rows, int column) {
        return rows.stream().filter(r -> r[column] > 0 && r[7] - r[9] > 0).mapToDouble(r -> r[column] / (r[7] - r[9])).toArray();
    }

    private static String quarterMeans(double[] values, String format) {
        return perQuarter(values, format, quarter -> quarter.average().orElse(Double.NaN));
    }

    /** The rate of a running total {@code totals} sampled at times {@code t}, per quarter of the run. */
    private static String quarterRates(double[] t, double[] totals) {
        return quarterRates(t, totals, "%.0f", 1);
    }

    /** As above, the rate times {@code scale} in {@code format}. */
    private static String quarterRates(double[] t, double[] totals, String format, double scale) {
        if (t.length < 4) return "n/a";
        StringBuilder b = new StringBuilder();
        int q = t.length / 4;
        for (int i = 0; i < 4; i++) {
            int from = i * q;
            int to = i == 3 ? t.length - 1 : (i + 1) * q;
            double seconds = t[to] - (from == 0 ? 0 : t[from]);
            double n = totals[to] - (from == 0 ? 0 : totals[from]);
            if (b.length() > 0) b.append(" → ");
            b.append(String.format(Locale.ROOT, format, seconds <= 0 ? 0 : scale * n / seconds));
        }
        return b.toString();
    }

    private static String quarterMins(double[] values, String format) {
        return perQuarter(values, format, quarter -> quarter.min().orElse(Double.NaN));
    }

    /** {@code values} in four quarters (the last takes the remainder), each reduced to one figure. */
    private static String perQuarter(double[] values, String format, ToDoubleFunction<DoubleStream> reduce) {
        if (values.length < 4) return Arrays.toString(values);
        StringBuilder b = new StringBuilder();
        int q = values.length / 4;
        for (int i = 0; i < 4; i++) {
            int to = i == 3 ? values.length : (i + 1) * q;
            double figure = reduce.applyAsDouble(Arrays.stream(values, i * q, to));
            b.append(i == 0 ? "" : " → ").append(String.format(Locale.ROOT, format, figure));
        }
        return b.toString();
    }

    private static double[] column(List<double[]> rows, int i) {
        return rows.stream().mapToDouble(r -> r[i]).toArray();
    }

    private void say(String line) {
        System.err.println("[e2e] " + line);
    }
}
