package org.correlationstation.bench.load;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The load generator CLI: realistic OTLP traffic to Kafka or an OTLP/HTTP receiver, at a fixed rate
 * or flat out, bounded in events and time, with a progress bar and a manifest of what it sent.
 * Options and defaults: {@code bench/README.md} ({@code bench/load.sh --help}).
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        CommandLine args = new CommandLine(argv);
        String targetName = args.get("target", "kafka");
        double rate = args.getDouble("rate", 0);
        long count = args.getLong("count", 1_000_000);
        long seconds = args.getLong("time", 3600);
        long seed = args.getLong("seed", 1);
        String manifest = args.get("manifest", "");
        TrafficProfile profile = args.profile();
        String bootstrap = args.get("bootstrap-servers", "localhost:9092");
        String spansTopic = args.get("spans-topic", "otlp_spans");
        String logsTopic = args.get("logs-topic", "otlp_logs");
        String encoding = args.get("encoding", "otlp_proto");
        String compression = args.get("compression", "none");
        String otlpUrl = args.get("otlp-url", "http://localhost:4318");
        int maxInFlight = args.getInt("max-in-flight", 8);
        args.rejectUnknown();
        OtlpTarget target = switch (targetName) {
            case "kafka" -> new KafkaTarget(bootstrap, spansTopic, logsTopic, encoding, compression);
            case "otlp-http" -> new OtlpHttpTarget(otlpUrl, maxInFlight);
            default -> throw new IllegalArgumentException("--target must be kafka or otlp-http, not " + targetName);
        };

        TrafficGenerator generator = new TrafficGenerator(profile, seed);
        try (SentManifest sent = manifest.isEmpty() ? null : new SentManifest(Path.of(manifest));
                OtlpTarget t = target) {
            LoadDriver driver = new LoadDriver(generator, t, rate, count, Duration.ofSeconds(seconds), sent);
            try (ProgressBar bar = new ProgressBar(System.err, count, seconds, driver::events, t::errors)) {
                driver.run();
            }
            System.out.printf("sent %,d events (%,d spans, %,d traced logs, %,d untraced logs) in %,d traces, "
                            + "%,d batches acknowledged, %,d errors, %.1f s, %,.0f events/s%n",
                    generator.events(), generator.spans(), generator.tracedLogs(), generator.untracedLogs(),
                    generator.traces(), t.acknowledged(), t.errors(), driver.elapsedSeconds(),
                    generator.events() / Math.max(1e-9, driver.elapsedSeconds()));
            if (t.errors() > 0) System.exit(1);
        }
    }

    static final String USAGE = """
            bench/load.sh [--name value …]
              --target kafka|otlp-http        (kafka)
              --bootstrap-servers HOST:PORT   (localhost:9092)   --spans-topic (otlp_spans) --logs-topic (otlp_logs)
              --encoding otlp_proto|otlp_json (otlp_proto)       --compression none|lz4|zstd|gzip|snappy (none)
              --otlp-url URL                  (http://localhost:4318)  --max-in-flight N (8)
              --rate EVENTS_PER_S             (0 = flat out)
              --count EVENTS                  (1000000)          --time SECONDS (3600)
              --services N (12)  --spans-per-trace MEDIAN (20)  --long-tail-share S (0.0005)
              --max-spans-per-trace N (50000)  --logs-per-span MEAN (1.0)
              --logs-without-span-id S (0.1)  --logs-without-trace-id S (0.05)  --error-rate S (0.01)
              --out-of-order-ms MS (2000)  --late-share S (0.001)  --late-ms MS (15000)
              --batch-size EVENTS (1024)  --batch-timeout-ms MS (200)
              --seed N (1)  --manifest FILE (what was sent, one trace per line)""";
}
