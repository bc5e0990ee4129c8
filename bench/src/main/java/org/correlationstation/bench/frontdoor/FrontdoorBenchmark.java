package org.correlationstation.bench.frontdoor;

import java.io.IOException;
import java.net.URI;
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
import org.correlationstation.bench.api.ConstantRateClient;
import org.correlationstation.bench.ingest.AsyncProfiler;
import org.correlationstation.bench.ingest.ChildProcess;
import org.correlationstation.bench.ingest.HttpPosts;
import org.correlationstation.bench.ingest.Machine;
import org.correlationstation.bench.ingest.ProcCpu;
import org.correlationstation.bench.ingest.RequestPool;
import org.correlationstation.bench.ingest.WorkDir;
import org.correlationstation.bench.load.CommandLine;
import org.correlationstation.bench.load.SentManifest;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.testing.FreePorts;

/**
 * Local mode end to end (bench/README.md, "Front door"): {@code bin/correlation-station local} in its own
 * process on free ports, OTLP/HTTP in, the job, the records read back through its query API. Saturated
 * with protobuf bodies, then with JSON bodies: records/s accepted (2xx) and processed (in records the API
 * serves, every trace checked against what was sent), the latter timed from the first request to the
 * moment the last record was visible; then at a constant rate, the CPU per record of the whole process
 * tree. With {@code --old-service DIR}, the old Python service the same way (JSON; it did not read
 * protobuf bodies), else the figures the issue quoted for it. Run through {@code bench/frontdoor.sh}.
 */
public final class FrontdoorBenchmark {
    static final String OURS = "local mode";
    static final String OLD = "old service";

    /** What is measured: where OTLP/HTTP goes, where records are read, whose CPU counts. */
    private record Target(String name, ChildProcess process, URI otlp, String otlpPathPrefix, Visibility visibility) {}

    private final CommandLine args;
    private final Path root;
    private final Path work;
    private final RequestPool pool;
    private final int connections;
    private final FrontdoorReport report = new FrontdoorReport();
    private final List<String> notes = new ArrayList<>();
    /** Loaded into local mode's JVM around the constant-rate measured run; null: off. */
    private final AsyncProfiler profiler;
    private final String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    /** The next request of the pool to send: every phase starts at a round of its own (fresh traces). */
    private long next;
    /** Traced events sent so far (spans + logs with a trace id): what the correlator should have taken in. */
    private long tracedEventsSent;

    private FrontdoorBenchmark(CommandLine args, RequestPool pool) throws IOException {
        this.args = args;
        this.root = Path.of(args.get("root", ".")).toAbsolutePath().normalize();
        this.work = WorkDir.create("frontdoor-bench");
        this.pool = pool;
        this.connections = args.getInt("connections", 10);
        String asprofLib = args.get("asprof-lib", "");
        this.profiler = asprofLib.isEmpty() ? null : new AsyncProfiler(asprofLib);
    }

    public static void main(String[] argv) throws Exception {
        CommandLine args = new CommandLine(argv);
        long roundEvents = args.getLong("round-events", 100_000);
        // 20-span traces (log-normal around 20) with about a log per span; no long tail: traces whole within a round.
        TrafficProfile profile = TrafficProfile.defaults().withLongTail(0).withLate(0, 0);
        long t0 = System.nanoTime();
        RequestPool pool = RequestPool.generate(profile, 1, roundEvents, 100_000);
        System.out.printf(Locale.ROOT, "== %,d requests of %.0f events on average per round (%,d events), encoded in %.1f s%n",
                pool.size(), pool.eventsPerRequest(), pool.eventsPerRound(), (System.nanoTime() - t0) / 1e9);
        FrontdoorBenchmark bench = new FrontdoorBenchmark(args, pool);
        try {
            bench.run();
        } catch (Exception | Error e) {
            System.err.println("the run failed; local mode's log, DATA_DIR and the manifests are in " + bench.work);
            throw e;
        }
        WorkDir.delete(bench.work);
        System.exit(0);
    }

    private void run() throws Exception {
        String command = args.get("command", "bench/frontdoor.sh");
        long events = args.getLong("events", 1_500_000);
        long jsonEvents = args.getLong("json-events", 1_000_000);
        long warmupEvents = args.getLong("warmup-events", 2_000_000);
        double rate = args.getDouble("rate", 12_000);
        long rateSeconds = args.getLong("rate-seconds", 60);
        // Longer than the correlation window: the saturated phases' traces have closed before the measured
        // run (their closes, ~100,000 traces, fell into it with a 20-s warm-up), and the constant rate's own
        // traces close during it at the rate they arrive, as in a steady state.
        long rateWarmupSeconds = args.getLong("rate-warmup", Options.CORR_WINDOW_SECONDS.defaultValue().orElseThrow() + 20);
        String localJavaOpts = args.get("local-java-opts", "");
        String oldService = args.get("old-service", "");
        String oldApp = args.get("old-service-app", "app.main:app");
        String oldEnv = args.get("old-service-env", "");
        args.rejectUnknown();

        int[] ports = FreePorts.distinct(8); // below the ephemeral range: no client socket takes them meanwhile
        try (ChildProcess local = startLocal(localJavaOpts, ports)) {
            Target target = new Target(OURS, local, URI.create("http://127.0.0.1:" + ports[2]), "",
                    new Visibility("http://127.0.0.1:" + ports[0], "http://127.0.0.1:" + ports[4] + "/metrics"));
            System.out.println("== local mode ready: " + local + "; warm-up, not measured");
            saturated(target, RequestPool.Encoding.PROTOBUF, warmupEvents, false);
            saturated(target, RequestPool.Encoding.JSON, warmupEvents / 2, false);
            saturated(target, RequestPool.Encoding.PROTOBUF, events, true);
            saturated(target, RequestPool.Encoding.JSON, jsonEvents, true);
            constant(target, rate, rateWarmupSeconds, rateSeconds, RequestPool.Encoding.PROTOBUF);
            System.out.println("== stopping local mode (final savepoint)");
            local.stop(Duration.ofSeconds(120));
        }
        FrontdoorReport.Reference reference = FrontdoorReport.QUOTED_OLD_SERVICE;
        if (!oldService.isEmpty()) {
            reference = measureOldService(new OldService(Path.of(oldService), oldApp, oldEnv, FreePorts.one()), jsonEvents, rate,
                    rateWarmupSeconds, rateSeconds);
        } else {
            notes.add("The old Python service's source is not on this machine (no `--old-service DIR`): only our figures "
                    + "were measured; the comparison uses the figures the issue quoted for it (accepted 30,030 records/s JSON, "
                    + "processed 24,056 records/s, 0.62 of a core at 12,000 records/s ≈ 51.7 µs per record).");
        }
        write(command, reference, rate);
    }

    // ---------------------------------------------------------------- phases

    /**
     * Closed loop over {@code connections} keep-alive connections until at least {@code events} events (whole
     * rounds) were sent; then waits until every trace's record is visible and complete.
     */
    private void saturated(Target target, RequestPool.Encoding encoding, long events, boolean measured) throws Exception {
        int rounds = (int) Math.max(1, Math.ceil((double) events / pool.eventsPerRound()));
        String name = encoding == RequestPool.Encoding.PROTOBUF ? "protobuf" : "JSON";
        String load = Machine.loadAverage();
        System.out.printf(Locale.ROOT, "== %s: %s bodies, %d rounds (%,d events), %d connections, saturated%s%n", target.name, name,
                rounds, rounds * pool.eventsPerRound(), connections, measured ? "" : " (warm-up)");
        long first = next;
        URI uri = target.otlp;
        ConstantRateClient.Result sent;
        long start = System.nanoTime();
        try (ConstantRateClient client = new ConstantRateClient(uri, connections)) {
            sent = client.saturate(new HttpPosts(pool, first, encoding, uri.getRawAuthority(), target.otlpPathPrefix),
                    (long) rounds * pool.size(), 3600);
        }
        next += (long) rounds * pool.size();
        List<SentTrace> traces = traces(first, rounds, name);
        Visibility.Visible visible = target.visibility.await(traces, tracedEventsSent, start);
        FrontdoorReport.Saturated s = new FrontdoorReport.Saturated(target.name, name, sent.okUnits(), sent.elapsedNanos() / 1e9,
                visible.check().matchedEvents(), visible.seconds(), visible.check(), load);
        System.out.printf(Locale.ROOT, "%s %s: accepted %,d records in %.1f s (%,.0f/s, errors %d %s); processed %,d in %.1f s (%,.0f/s); %s%n",
                target.name, name, s.accepted(), s.sendSeconds(), s.acceptedPerSecond(), sent.errors(), sent.errorsByStatus(),
                s.processed(), s.visibleSeconds(), s.processedPerSecond(), visible.check());
        if (measured) report.saturated.add(s);
    }

    /** A warm-up run at {@code rate}, then the measured run with the process tree's CPU around it; then the check of both. */
    private void constant(Target target, double rate, long warmupSeconds, long seconds, RequestPool.Encoding encoding) throws Exception {
        double requestsPerSecond = rate / pool.eventsPerRequest();
        int warmRounds = (int) Math.max(1, Math.round(rate * warmupSeconds / pool.eventsPerRound()));
        int rounds = (int) Math.max(1, Math.round(rate * seconds / pool.eventsPerRound()));
        System.out.printf(Locale.ROOT, "== %s: constant %,.0f records/s (%.1f requests/s), %d rounds warm-up, %d rounds measured%n",
                target.name, rate, requestsPerSecond, warmRounds, rounds);
        long first = next;
        URI uri = target.otlp;
        try (ConstantRateClient client = new ConstantRateClient(uri, 32)) {
            ConstantRateClient.Result warm = client.run(new HttpPosts(pool, next, encoding, uri.getRawAuthority(),
                    target.otlpPathPrefix), requestsPerSecond, (long) warmRounds * pool.size());
            next += (long) warmRounds * pool.size();
            String load = Machine.loadAverage();
            long pid = target.process.pid();
            long cpu = ProcCpu.treeNanos(pid);
            long jit = ProcCpu.threadNanos(pid, "CompilerThre");
            Path profile = profiler != null && target.name.equals(OURS)
                    ? root.resolve("bench/results/frontdoor-" + stamp + "-constant.collapsed") : null;
            if (profile != null) profiler.start(pid);
            ConstantRateClient.Result r = client.run(new HttpPosts(pool, next, encoding, uri.getRawAuthority(),
                    target.otlpPathPrefix), requestsPerSecond, (long) rounds * pool.size());
            cpu = ProcCpu.treeNanos(pid) - cpu;
            jit = ProcCpu.threadNanos(pid, "CompilerThre") - jit;
            if (profile != null) {
                profiler.stop(pid, profile);
                System.out.println("   profile of the measured run: " + root.relativize(profile));
            }
            next += (long) rounds * pool.size();
            List<SentTrace> traces = traces(first, warmRounds + rounds, "constant");
            Visibility.Visible visible = target.visibility.await(traces, tracedEventsSent, System.nanoTime());
            FrontdoorReport.Constant c = new FrontdoorReport.Constant(target.name, rate, r.okUnits(), r.elapsedNanos() / 1e9, cpu, jit,
                    visible.check(), load);
            System.out.printf(Locale.ROOT, "%s at %,.0f/s: %,d records in %.1f s (warm-up errors %d, errors %d %s), CPU %.2f cores, "
                            + "%.1f µs per record (JIT %.1f); %s%n", target.name, rate, c.accepted(), c.seconds(), warm.errors(),
                    r.errors(), r.errorsByStatus(), c.cores(), c.cpuMicrosPerRecord(), jit / 1000.0 / Math.max(1, c.accepted()), visible.check());
            report.constant.add(c);
        }
    }

    /** The traces of the rounds a phase sent, also written as a manifest that bench/check.sh reads. */
    private List<SentTrace> traces(long first, int rounds, String name) throws IOException {
        int firstRound = pool.round(first);
        List<SentTrace> traces = pool.traces(firstRound, firstRound + rounds);
        for (SentTrace t : traces) tracedEventsSent += t.spans() + t.logs();
        Path manifest = work.resolve("sent-" + firstRound + "-" + name + ".tsv");
        try (SentManifest m = new SentManifest(manifest)) {
            for (SentTrace t : traces) m.sent(t, 0);
        }
        return traces;
    }

    // ---------------------------------------------------------------- the processes

    private ChildProcess startLocal(String javaOpts, int[] ports) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATA_DIR", work.resolve("data").toString());
        env.put("PORT", Integer.toString(ports[0]));
        env.put("OTLP_GRPC_PORT", Integer.toString(ports[1]));
        env.put("OTLP_HTTP_PORT", Integer.toString(ports[2]));
        env.put("FLINK_UI_PORT", Integer.toString(ports[3]));
        env.put("FLINK_METRICS_PORT", Integer.toString(ports[4]));
        env.put("KAFKA_PORT", Integer.toString(ports[5]));
        env.put("KAFKA_CONTROLLER_PORT", Integer.toString(ports[6]));
        env.put("FLINK_RPC_PORT", Integer.toString(ports[7]));
        env.put("API_RATE_LIMIT_RPS", "0"); // the checker reads every record back through the API
        env.put("LOG_LEVEL", "warn");
        env.put("JAVA_OPTS", javaOpts);
        env.put("CORRELATION_STATION_MAVEN_ARGS", "-o");
        System.out.println("== starting bin/correlation-station local: " + env);
        ChildProcess local = ChildProcess.start("local", List.of(root.resolve("bin/correlation-station").toString(), "local"), env, root,
                work.resolve("local.log"));
        local.awaitLine(line -> line.equals("ready"), Duration.ofMinutes(10)); // the launcher may build the jars first
        return local;
    }

    /** The old service measured as ours, with JSON bodies (it did not read protobuf); its figures become the reference. */
    private FrontdoorReport.Reference measureOldService(OldService service, long jsonEvents, double rate, long warmupSeconds,
            long seconds) throws Exception {
        FrontdoorReport.Reference measured;
        try (ChildProcess old = service.start(work.resolve("old-service.log"))) {
            Target target = new Target(OLD, old, URI.create(service.baseUrl()), OldService.OTLP_PATH_PREFIX,
                    new Visibility(service.baseUrl(), null));
            saturated(target, RequestPool.Encoding.JSON, jsonEvents / 4, false);
            saturated(target, RequestPool.Encoding.JSON, jsonEvents, true);
            constant(target, rate, warmupSeconds, seconds, RequestPool.Encoding.JSON);
            FrontdoorReport.Saturated s = report.saturated.get(report.saturated.size() - 1);
            FrontdoorReport.Constant c = report.constant.get(report.constant.size() - 1);
            measured = new FrontdoorReport.Reference("the old service, measured here", s.acceptedPerSecond(), s.processedPerSecond(),
                    c.cpuMicrosPerRecord());
            old.stop(Duration.ofSeconds(30));
        }
        notes.add("The old service ran from " + service.dir() + " (`" + service.app() + "`, exporters off); it was sent JSON "
                + "bodies on /api/otlp/v1/*, also at the constant rate, as it read no protobuf.");
        return measured;
    }

    // ---------------------------------------------------------------- results

    private void write(String command, FrontdoorReport.Reference reference, double rate) throws IOException {
        Path file = root.resolve("bench/results/frontdoor-" + stamp + ".md");
        Files.createDirectories(file.getParent());
        StringBuilder md = new StringBuilder();
        md.append("# Front-door benchmark, ").append(Instant.now()).append("\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores. `bin/correlation-station local` (one JVM: Kafka, the OTLP receiver, "
                        + "the job, the query API on its in-memory store; launcher defaults) and the driver on the same machine. "
                        + "Requests: OTLP/HTTP, the load generator's batches of %.0f events on average (traces of ~20 spans, about a log per "
                        + "span; records = spans + log records), pre-encoded, every request's traces new; saturated over %d keep-alive "
                        + "connections. Accepted: records answered 2xx, over the time the requests took. Processed: the records the "
                        + "correlation records served by the API account for (every trace checked against what was sent: span_count "
                        + "and log_count), over the time from the first request until the last was visible; logs without a trace id "
                        + "(5%%) are accepted but in no record. CPU: user + system time of the process tree (/proc) over the constant-rate "
                        + "run, per record accepted.%n%n",
                Runtime.getRuntime().availableProcessors(), pool.eventsPerRequest(), connections));
        md.append(report.tables()).append('\n');
        md.append(report.comparison(reference)).append('\n');
        for (String note : notes) md.append(note).append("\n\n");
        md.append("Command: `").append(command).append("`\n");
        Files.writeString(file, md.toString());
        System.out.println();
        System.out.print(md);
        System.out.println("results in " + root.relativize(file));
        System.out.println(report.summary());
    }
}
