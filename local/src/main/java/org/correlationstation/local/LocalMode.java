package org.correlationstation.local;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.correlationstation.api.ApiServer;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.CorrelationStores;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.config.ConfigOption;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.ingest.IngestServer;
import org.correlationstation.local.demo.DemoTraffic;
import org.correlationstation.local.flink.LocalJob;
import org.correlationstation.local.kafka.EmbeddedBroker;
import org.correlationstation.local.store.LocalStores;
import org.correlationstation.local.store.StoreSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in one JVM (`./bin/correlation-station local`): an embedded KRaft broker, the OTLP
 * receiver, the correlation job on a MiniCluster with the Flink web UI, and the query API on the
 * in-memory store the job feeds (or on Redis when {@code REDIS_URL} is set). State, checkpoints and
 * Kafka's logs live under {@code DATA_DIR}, so a restart resumes where the last run stopped.
 */
public final class LocalMode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMode.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** Partitions of each topic: a trace's spans and logs land on the same partition number in both. */
    public static final int PARTITIONS = 2;
    private static final String STORE_NAME = "local";
    /** Not a setting: an action of the {@code local} command (SPEC §10). */
    private static final String DEMO_FLAG = "--demo";

    private final Settings settings;
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private IngestServer ingest;
    private ApiServer api;
    private DemoTraffic demo;
    private LocalJob job;
    private CorrelationStore store;
    private Optional<StoreSnapshot> snapshot = Optional.empty();

    private LocalMode(Settings settings) {
        this.settings = settings;
    }

    /** Starts every part; on failure stops the ones already started and rethrows. */
    public static LocalMode start(Settings given) throws Exception {
        LocalMode local = new LocalMode(given);
        try {
            local.startParts();
        } catch (Exception | Error e) {
            local.closeQuietly();
            throw e;
        }
        return local;
    }

    private void startParts() throws Exception {
        Path dataDir = Path.of(settings.get(Options.DATA_DIR)).toAbsolutePath();

        EmbeddedBroker broker = EmbeddedBroker.start(dataDir.resolve("kafka"),
                settings.get(Options.KAFKA_PORT), settings.get(Options.KAFKA_CONTROLLER_PORT));
        parts.push(broker);
        broker.createTopics(topics(settings), PARTITIONS);
        Settings s = settings.with(Options.KAFKA_BOOTSTRAP_SERVERS, broker.bootstrapServers())
                .with(Options.DATA_DIR, dataDir.toString());

        Optional<String> memoryStore;
        if (s.redisUrl().isPresent()) {
            store = CorrelationStores.create(s);
            memoryStore = Optional.empty();
        } else {
            InMemoryCorrelationStore memory = InMemoryCorrelationStore.create(s);
            StoreSnapshot file = new StoreSnapshot(dataDir.resolve("store"));
            int loaded = file.load(memory, Duration.ofSeconds(s.get(Options.CORRELATION_TTL_SECONDS)),
                    System.currentTimeMillis());
            int graphElements = file.loadGraph(memory);
            LOG.info("in-memory store: at most {} records and {} MiB of heap (MEMORY_STORE_MAX_RECORDS, "
                    + "MEMORY_STORE_MAX_BYTES); {} correlations and {} service-graph elements loaded from {}",
                    s.get(Options.MEMORY_STORE_MAX_RECORDS), memory.maxBytes() >> 20, loaded, graphElements, file.directory());
            LocalStores.register(STORE_NAME, memory, file);
            parts.push(() -> LocalStores.unregister(STORE_NAME));
            store = memory;
            snapshot = Optional.of(file);
            memoryStore = Optional.of(STORE_NAME);
        }
        parts.push(store);

        // Kafka need not have a leader for every partition yet: the receiver answers 503 until it does.
        ingest = IngestServer.start(s);
        parts.push(ingest);

        api = ApiServer.start(s, store, ingest.postHandlers(), s.get(Options.OTLP_MAX_BODY_BYTES));
        parts.push(api);

        job = LocalJob.start(s, memoryStore, START_TIMEOUT);
        parts.push(job);
    }

    /** The input and DLQ topics, and the optional output topics that are configured (the broker creates none itself). */
    public static Set<String> topics(Settings settings) {
        Set<String> topics = new LinkedHashSet<>();
        for (ConfigOption<String> topic : List.of(Options.KAFKA_SPANS_TOPIC, Options.KAFKA_LOGS_TOPIC,
                Options.KAFKA_DLQ_TOPIC, Options.KAFKA_CORRELATIONS_TOPIC, Options.KAFKA_NORMALIZED_SPANS_TOPIC,
                Options.KAFKA_NORMALIZED_LOGS_TOPIC)) {
            settings.find(topic).ifPresent(topics::add);
        }
        return topics;
    }

    public int apiPort() {
        return api.port();
    }

    public int otlpGrpcPort() {
        return ingest.grpcPort();
    }

    public int otlpHttpPort() {
        return ingest.httpPort();
    }

    /** Sends demo traffic to the OTLP/HTTP receiver until {@link #close()} ({@code local --demo}). */
    public void startDemo(Consumer<String> console) {
        demo = new DemoTraffic(URI.create("http://localhost:" + ingest.httpPort()), console);
        parts.push(demo);
        demo.start(api.port());
    }

    /** What listens where, for the console. */
    public String describe() {
        String store = this.store.kind() == CorrelationStore.Kind.REDIS
                ? "redis"
                : "memory (snapshot " + snapshot.map(f -> f.directory().toString()).orElse("") + ")";
        return String.join("\n",
                "  OTLP gRPC       localhost:" + ingest.grpcPort(),
                "  OTLP HTTP       http://localhost:" + ingest.httpPort() + "/v1/traces, /v1/logs",
                "  query API       http://localhost:" + api.port() + "/api/correlations"
                        + "  (legacy ingestion too: /api/logs, /api/otlp/v1/traces, /api/otlp/v1/logs)",
                "  Flink web UI    http://localhost:" + settings.get(Options.FLINK_UI_PORT),
                "  Flink metrics   http://localhost:" + settings.get(Options.FLINK_METRICS_PORT) + "/metrics",
                "  Kafka           localhost:" + settings.get(Options.KAFKA_PORT) + " (topics "
                        + settings.get(Options.KAFKA_SPANS_TOPIC) + ", " + settings.get(Options.KAFKA_LOGS_TOPIC)
                        + ", " + settings.get(Options.KAFKA_DLQ_TOPIC) + ")",
                "  store           " + store,
                "  data            " + Path.of(settings.get(Options.DATA_DIR)).toAbsolutePath()
                        + job.restoredFrom().map(p -> " (resumed from " + p.getFileName() + ")").orElse(""));
    }

    /**
     * Stops in the reverse order of starting: the job first (savepoint, which also writes the store's
     * snapshot; cancelled after {@code SHUTDOWN_TIMEOUT_SECONDS} when the savepoint cannot finish, see
     * {@link LocalJob#close()}), then the API, the receiver (anything it accepted is in Kafka for the
     * next run), the store and the broker.
     */
    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            LOG.warn("while stopping after a failed start: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- the `local` command

    public static void main(String[] args) {
        boolean demo = Arrays.asList(args).contains(DEMO_FLAG);
        Settings settings;
        try {
            settings = Settings.fromEnvironment(Arrays.stream(args).filter(a -> !a.equals(DEMO_FLAG)).toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            System.err.println("correlation-station local: " + e.getMessage());
            System.exit(2);
            return;
        }
        configureLogging(settings.get(Options.LOG_LEVEL));
        LocalMode local;
        try {
            local = start(settings);
        } catch (Exception e) {
            LOG.error("local mode could not start: {}", e.toString(), e);
            System.exit(1);
            return;
        }
        StopSignals.install("local-mode", () -> {
            System.out.println("stopping (final savepoint; at most SHUTDOWN_TIMEOUT_SECONDS="
                    + settings.get(Options.SHUTDOWN_TIMEOUT_SECONDS) + ", a second Ctrl-C exits at once) ...");
            try {
                local.close();
                System.out.println("stopped");
            } catch (Exception e) {
                LOG.error("could not stop cleanly: {}", e.toString());
            }
        }, () -> {});
        System.out.println("Correlation Station " + ApiServer.version() + " (local mode)\n" + local.describe());
        System.out.println("ready");
        if (demo) local.startDemo(System.out::println);
    }

    /** LOG_LEVEL applies to this project's loggers; Flink and Kafka log warnings and errors only. */
    private static void configureLogging(String level) {
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("org.correlationstation", Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
        // Warnings that are expected in one JVM without Kerberos, log files or a second broker.
        for (String quiet : QUIET_LOGGERS) Configurator.setLevel(quiet, Level.ERROR);
    }

    private static final String[] QUIET_LOGGERS = {
        "org.apache.flink.runtime.security.token",
        "org.apache.flink.runtime.webmonitor.WebMonitorUtils",
        "org.apache.pekko.actor.CoordinatedShutdown",
        "org.apache.kafka.clients.NetworkClient",
        "org.apache.kafka.controller.QuorumController",
        // Flink's Kafka sink registers pendingCommittables twice (writer and committer in one task).
        "org.apache.flink.metrics.MetricGroup",
    };
}
