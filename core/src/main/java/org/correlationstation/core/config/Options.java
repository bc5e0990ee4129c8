package org.correlationstation.core.config;

import static org.correlationstation.core.config.ValueParsers.bool;
import static org.correlationstation.core.config.ValueParsers.bytes;
import static org.correlationstation.core.config.ValueParsers.decimal;
import static org.correlationstation.core.config.ValueParsers.endpoint;
import static org.correlationstation.core.config.ValueParsers.headers;
import static org.correlationstation.core.config.ValueParsers.hostPortList;
import static org.correlationstation.core.config.ValueParsers.httpUrl;
import static org.correlationstation.core.config.ValueParsers.integer;
import static org.correlationstation.core.config.ValueParsers.longValue;
import static org.correlationstation.core.config.ValueParsers.oneOf;
import static org.correlationstation.core.config.ValueParsers.redisUrl;
import static org.correlationstation.core.config.ValueParsers.string;
import static org.correlationstation.core.config.ValueParsers.topic;
import static org.correlationstation.core.config.ValueParsers.traceIdPatterns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.correlationstation.core.logtext.TraceIdPatterns;

/**
 * The catalogue of settings (SPEC §8), one constant per environment name, in the order of
 * {@code docs/configuration.md}. Read values through {@link Settings}.
 */
public final class Options {
    private Options() {}

    private static final List<ConfigOption<?>> ALL = new ArrayList<>();

    private static final String[] ENCODINGS = {"otlp_proto", "otlp_json"};
    private static final int MAX_PORT = 65535;

    // ---------------------------------------------------------------- Kafka

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS = add(
            ConfigOption.builder("KAFKA_BOOTSTRAP_SERVERS", String.class, hostPortList())
                    .defaultValue("localhost:9092").valueHint("host:port[,host:port…]")
                    .description("Kafka brokers to bootstrap from."));
    public static final ConfigOption<String> KAFKA_SPANS_TOPIC = add(
            topicOption("KAFKA_SPANS_TOPIC", "otlp_spans", "Topic of OTLP TracesData messages."));
    public static final ConfigOption<String> KAFKA_LOGS_TOPIC = add(
            topicOption("KAFKA_LOGS_TOPIC", "otlp_logs", "Topic of OTLP LogsData messages."));
    public static final ConfigOption<String> KAFKA_DLQ_TOPIC = add(
            topicOption("KAFKA_DLQ_TOPIC", "otlp_dlq",
                    "Dead-letter topic for undecodable messages and batches a backend rejected."));
    public static final ConfigOption<String> KAFKA_GROUP_ID = add(
            ConfigOption.builder("KAFKA_GROUP_ID", String.class, string())
                    .defaultValue("correlation-station").valueHint("string")
                    .description("Consumer group id (offsets are committed on checkpoints)."));
    public static final ConfigOption<String> KAFKA_ENCODING = add(
            encodingOption("KAFKA_ENCODING", null,
                    "Sets both KAFKA_SPANS_ENCODING and KAFKA_LOGS_ENCODING unless they are set themselves."));
    public static final ConfigOption<String> KAFKA_SPANS_ENCODING = add(
            encodingOption("KAFKA_SPANS_ENCODING", "otlp_proto", "Encoding of the spans topic."));
    public static final ConfigOption<String> KAFKA_LOGS_ENCODING = add(
            encodingOption("KAFKA_LOGS_ENCODING", "otlp_proto", "Encoding of the logs topic."));
    public static final ConfigOption<String> KAFKA_STARTING_OFFSETS = add(
            ConfigOption.builder("KAFKA_STARTING_OFFSETS", String.class,
                            oneOf(new String[] {"committed", "earliest", "latest"}, Map.of()))
                    .defaultValue("committed").valueHint("committed | earliest | latest")
                    .description("Where a new job starts reading: the group's committed offsets"
                            + " (earliest where none), earliest or latest. A restore from a checkpoint"
                            + " or savepoint always uses the offsets stored in it."));
    public static final ConfigOption<String> KAFKA_PROPERTIES_FILE = add(
            ConfigOption.builder("KAFKA_PROPERTIES_FILE", String.class, string())
                    .valueHint("path")
                    .description("Java properties file of extra Kafka client settings (SASL, TLS, …)"
                            + " for every Kafka client of the job and the ingest service. Its contents"
                            + " are never logged."));
    public static final ConfigOption<String> KAFKA_CORRELATIONS_TOPIC = add(
            topicOption("KAFKA_CORRELATIONS_TOPIC", null,
                    "Exactly-once topic of correlation records (unset: off)."));
    public static final ConfigOption<String> KAFKA_NORMALIZED_SPANS_TOPIC = add(
            topicOption("KAFKA_NORMALIZED_SPANS_TOPIC", null,
                    "Exactly-once topic of normalised spans (unset: off)."));
    public static final ConfigOption<String> KAFKA_NORMALIZED_LOGS_TOPIC = add(
            topicOption("KAFKA_NORMALIZED_LOGS_TOPIC", null,
                    "Exactly-once topic of normalised logs (unset: off)."));

    // ---------------------------------------------------------------- job, time and state

    public static final ConfigOption<Integer> PARALLELISM = add(
            ConfigOption.builder("PARALLELISM", Integer.class, integer(1, 32768))
                    .valueHint("integer from 1 to 32768")
                    .description("Job parallelism (unset: the cluster's default)."));
    public static final ConfigOption<Integer> MAX_PARALLELISM = add(
            ConfigOption.builder("MAX_PARALLELISM", Integer.class, integer(1, 32768))
                    .defaultValue(128).valueHint("integer from 1 to 32768")
                    .description("Maximum parallelism (number of key groups); keep it across restores."));
    public static final ConfigOption<Long> CHECKPOINT_INTERVAL_MS = add(
            msOption("CHECKPOINT_INTERVAL_MS", 10_000L, 10,
                    "Checkpoint interval; Redis and Kafka sinks also flush on checkpoints."));
    public static final ConfigOption<String> CHECKPOINT_DIR = add(
            ConfigOption.builder("CHECKPOINT_DIR", String.class, string())
                    .valueHint("path or URI")
                    .description("Durable checkpoint storage, e.g. s3://bucket/checkpoints. Local mode:"
                            + " DATA_DIR/checkpoints when unset; required on a cluster."));
    public static final ConfigOption<Long> MAX_OUT_OF_ORDERNESS_MS = add(
            msOption("MAX_OUT_OF_ORDERNESS_MS", 5_000L, 0,
                    "Bounded out-of-orderness of event time for watermarks."));
    public static final ConfigOption<Long> SOURCE_IDLE_TIMEOUT_MS = add(
            msOption("SOURCE_IDLE_TIMEOUT_MS", 30_000L, 1,
                    "A source partition without data for this long stops holding back the watermark."));

    // ---------------------------------------------------------------- correlation semantics

    public static final ConfigOption<Long> CORR_WINDOW_SECONDS = add(
            secondsOption("CORR_WINDOW_SECONDS", 60L, 1,
                    "A trace closes this long after its last event (event time), or after this long"
                            + " without events (processing time)."));
    public static final ConfigOption<Long> JOIN_SLACK_MS = add(
            msOption("JOIN_SLACK_MS", 1_000L, 0,
                    "Slack around a span's [start, end] within which a log without span id joins it."));
    public static final ConfigOption<Long> JOIN_MAX_WAIT_MS = add(
            msOption("JOIN_MAX_WAIT_MS", 2_000L, 0,
                    "Longest processing time a log waits for its span before it is decided."));
    public static final ConfigOption<Long> CORRELATION_EMIT_INTERVAL_MS = add(
            msOption("CORRELATION_EMIT_INTERVAL_MS", 1_000L, 1,
                    "An open trace is emitted within this interval of its first event, then at most"
                            + " once per interval when it changed."));
    public static final ConfigOption<Long> CORRELATION_TTL_SECONDS = add(
            secondsOption("CORRELATION_TTL_SECONDS", 3_600L, 1,
                    "Keyed state is cleared this long after a trace closed, on the next clean-up step (a"
                            + " hundredth of it, at most a minute; later events are expired);"
                            + " also the expiry of Redis keys after each write."));
    public static final ConfigOption<Long> GRAPH_BUCKET_SECONDS = add(
            secondsOption("GRAPH_BUCKET_SECONDS", 60L, 1,
                    "Time bucket of the service graph (by the child span's end time); its buckets live in"
                            + " Redis as long as records do (CORRELATION_TTL_SECONDS)."));
    public static final ConfigOption<Integer> MAX_SPANS_TRACKED_PER_TRACE = add(
            countOption("MAX_SPANS_TRACKED_PER_TRACE", 10_000,
                    "Cap on span ids, log fingerprints, span ranges and edges tracked exactly per trace."));
    public static final ConfigOption<Integer> MAX_LINKS_PER_TRACE = add(
            countOption("MAX_LINKS_PER_TRACE", 1_000, "Cap on links per record."));
    public static final ConfigOption<Integer> MAX_SERVICES_PER_TRACE = add(
            countOption("MAX_SERVICES_PER_TRACE", 100, "Cap on services per record."));
    public static final ConfigOption<String> DEPLOYMENT_ENV = add(
            ConfigOption.builder("DEPLOYMENT_ENV", String.class, string())
                    .defaultValue("dev").valueHint("string")
                    .description("Environment of telemetry without deployment.environment(.name);"
                            + " also the environment tag of this service's own profiles."));
    public static final ConfigOption<String> LOG_TRACE_ID_PATTERNS = add(
            ConfigOption.builder("LOG_TRACE_ID_PATTERNS", String.class, traceIdPatterns())
                    .defaultValue(TraceIdPatterns.DEFAULT_JSON)
                    .valueHint("JSON array of regular expressions with a group (?<trace_id>…); [] = off")
                    .description("A log without trace context takes the trace id (and span id) the first match"
                            + " of these in its body, then its string attributes, names: named groups trace_id"
                            + " and optionally span_id (docs/semantics.md, \"Trace ids in log bodies\")."));
    public static final ConfigOption<Long> LOG_TRACE_ID_SCAN_BYTES = add(
            ConfigOption.builder("LOG_TRACE_ID_SCAN_BYTES", Long.class, bytes(1))
                    .defaultValue(4_096L).valueHint("bytes ≥ 1, or 4k, 1m (1k = 1024)")
                    .description("LOG_TRACE_ID_PATTERNS read only the first this many bytes (UTF-8) of a log's"
                            + " body and of each attribute value."));

    // ---------------------------------------------------------------- Redis and the record store

    public static final ConfigOption<String> REDIS_URL = add(
            ConfigOption.builder("REDIS_URL", String.class, redisUrl())
                    .secret(UrlRedaction::redact)
                    .valueHint("redis://[[user:]password@]host[:port][/db]")
                    .description("Redis (standalone, Sentinel or Cluster) for records and indexes"
                            + " (unset: the in-memory store). The password is never logged."));
    public static final ConfigOption<Boolean> USE_REDIS_STATE = add(
            ConfigOption.builder("USE_REDIS_STATE", Boolean.class, bool())
                    .valueHint("true | false")
                    .description("Old name, kept for compatibility: false forces the in-memory store,"
                            + " true requires REDIS_URL."));
    public static final ConfigOption<Integer> REDIS_MAX_CONNECTIONS = add(
            countOption("REDIS_MAX_CONNECTIONS", 50, "Redis connection pool size per process."));
    public static final ConfigOption<Long> REDIS_BATCH_WAIT_MS = add(
            msOption("REDIS_BATCH_WAIT_MS", 100L, 0,
                    "Longest time a record waits to be batched into a pipelined Redis write."));
    public static final ConfigOption<Integer> REDIS_WAIT_REPLICAS = add(
            ConfigOption.builder("REDIS_WAIT_REPLICAS", Integer.class, integer(0, 16))
                    .defaultValue(0).valueHint("integer, 0 to 16")
                    .description("Replicas every record write must reach (WAIT) before the job's checkpoint"
                            + " completes; 0: a primary lost in a failover may take acknowledged writes with it"
                            + " (they are written again only if the job restarts from an earlier checkpoint)."));
    public static final ConfigOption<Long> INDEX_TRIM_INTERVAL_SECONDS = add(
            secondsOption("INDEX_TRIM_INTERVAL_SECONDS", 60L, 1,
                    "Index entries whose record expired are removed within this interval."));
    public static final ConfigOption<Integer> MEMORY_STORE_MAX_RECORDS = add(
            countOption("MEMORY_STORE_MAX_RECORDS", 1_000_000,
                    "Capacity of the in-memory store in records; the oldest records are evicted first."));
    public static final ConfigOption<Long> MEMORY_STORE_MAX_BYTES = add(
            ConfigOption.builder("MEMORY_STORE_MAX_BYTES", Long.class, bytes(0))
                    .defaultValue(0L).valueHint("bytes, or 256m, 1g (1k = 1024); 0 = a quarter of the heap")
                    .description("Capacity of the in-memory store in (estimated) heap bytes; the oldest"
                            + " records are evicted first. 0: a quarter of the JVM's maximum heap."));

    // ---------------------------------------------------------------- sinks

    public static final ConfigOption<String> LOKI_URL = add(
            ConfigOption.builder("LOKI_URL", String.class, httpUrl())
                    .secret(UrlRedaction::redact) // a URL may carry credentials
                    .valueHint("http(s) URL")
                    .description("Loki push endpoint, e.g. http://loki:3100/loki/api/v1/push"
                            + " (unset: Loki sink off); https:// for TLS, https://user:password@host/… for"
                            + " basic auth (the password is never logged)."));
    public static final ConfigOption<String> LOKI_TENANT = add(
            ConfigOption.builder("LOKI_TENANT", String.class, string())
                    .valueHint("string")
                    .description("Loki tenant, sent as X-Scope-OrgID (unset: no header)."));
    public static final ConfigOption<String> LOKI_HEADERS = add(
            headersOption("LOKI_HEADERS", "Loki push request"));
    public static final ConfigOption<String> LOKI_CA_FILE = add(
            caFileOption("LOKI_CA_FILE", "LOKI_URL"));
    public static final ConfigOption<String> LOKI_CLIENT_CERT_FILE = add(
            clientCertOption("LOKI_CLIENT_CERT_FILE", "LOKI_CLIENT_KEY_FILE", "Loki"));
    public static final ConfigOption<String> LOKI_CLIENT_KEY_FILE = add(
            clientKeyOption("LOKI_CLIENT_KEY_FILE", "LOKI_CLIENT_CERT_FILE"));
    public static final ConfigOption<String> TEMPO_GRPC_ENDPOINT = add(
            ConfigOption.builder("TEMPO_GRPC_ENDPOINT", String.class, endpoint())
                    .secret(UrlRedaction::redact) // a URL may carry credentials
                    .valueHint("host:port, or https://host:port for TLS")
                    .description("Tempo OTLP/gRPC endpoint, e.g. tempo:4317 (plaintext) or"
                            + " https://tempo.example.com:443 (TLS)."
                            + " With TEMPO_HTTP_ENDPOINT also unset: Tempo sink off."));
    public static final ConfigOption<String> TEMPO_HTTP_ENDPOINT = add(
            ConfigOption.builder("TEMPO_HTTP_ENDPOINT", String.class, httpUrl())
                    .secret(UrlRedaction::redact) // a URL may carry credentials
                    .valueHint("http(s) URL")
                    .description("Tempo OTLP/HTTP endpoint, e.g. http://tempo:4318/v1/traces; https:// for TLS,"
                            + " https://user:password@host/… for basic auth (the password is never logged)."));
    public static final ConfigOption<String> TEMPO_HEADERS = add(
            headersOption("TEMPO_HEADERS", "Tempo request (HTTP headers, or gRPC metadata)"));
    public static final ConfigOption<String> TEMPO_CA_FILE = add(
            caFileOption("TEMPO_CA_FILE", "the Tempo endpoint"));
    public static final ConfigOption<String> TEMPO_CLIENT_CERT_FILE = add(
            clientCertOption("TEMPO_CLIENT_CERT_FILE", "TEMPO_CLIENT_KEY_FILE", "Tempo"));
    public static final ConfigOption<String> TEMPO_CLIENT_KEY_FILE = add(
            clientKeyOption("TEMPO_CLIENT_KEY_FILE", "TEMPO_CLIENT_CERT_FILE"));
    public static final ConfigOption<String> TEMPO_COMPRESSION = add(
            ConfigOption.builder("TEMPO_COMPRESSION", String.class, oneOf(new String[] {"none", "gzip"}, Map.of()))
                    .defaultValue("none").valueHint("none | gzip")
                    .description("Compression of the requests to Tempo (OTLP/HTTP Content-Encoding, gRPC"
                            + " message compression), as OTEL_EXPORTER_OTLP_COMPRESSION."));
    public static final ConfigOption<Integer> MAX_BATCH_SIZE = add(
            countOption("MAX_BATCH_SIZE", 5_000, "Largest batch a sink sends in one request."));
    public static final ConfigOption<Long> EXPORT_BATCH_WAIT_MS = add(
            msOption("EXPORT_BATCH_WAIT_MS", 1_000L, 0,
                    "Longest time an entry waits for its batch to fill."));
    public static final ConfigOption<Integer> EXPORT_RETRY_ATTEMPTS = add(
            countOption("EXPORT_RETRY_ATTEMPTS", 3,
                    "Tries per request before it counts as a failure for the circuit breaker."));
    public static final ConfigOption<Double> EXPORT_RETRY_DELAY = add(
            ConfigOption.builder("EXPORT_RETRY_DELAY", Double.class, decimal(0, false))
                    .defaultValue(1.0).valueHint("seconds ≥ 0 (decimal)")
                    .description("First retry delay in seconds; doubles with each try, plus jitter."));
    public static final ConfigOption<Double> EXPORT_TIMEOUT = add(
            ConfigOption.builder("EXPORT_TIMEOUT", Double.class, decimal(0, true))
                    .defaultValue(10.0).valueHint("seconds > 0 (decimal)")
                    .description("Timeout of one request in seconds."));
    public static final ConfigOption<Boolean> ENABLE_CIRCUIT_BREAKER = add(
            ConfigOption.builder("ENABLE_CIRCUIT_BREAKER", Boolean.class, bool())
                    .defaultValue(true).valueHint("true | false")
                    .description("Per-backend circuit breaker."));
    public static final ConfigOption<Integer> CIRCUIT_BREAKER_FAILURE_THRESHOLD = add(
            countOption("CIRCUIT_BREAKER_FAILURE_THRESHOLD", 5,
                    "Consecutive failed requests that open the breaker."));
    public static final ConfigOption<Long> CIRCUIT_BREAKER_RECOVERY_TIMEOUT = add(
            secondsOption("CIRCUIT_BREAKER_RECOVERY_TIMEOUT", 60L, 1,
                    "Seconds an open breaker waits before one probe request (half-open)."));

    // ---------------------------------------------------------------- profiling and logging

    public static final ConfigOption<Boolean> ENABLE_PYROSCOPE = add(
            ConfigOption.builder("ENABLE_PYROSCOPE", Boolean.class, bool())
                    .defaultValue(false).valueHint("true | false")
                    .description("Pyroscope agent in the JVMs the launcher starts (on a Flink cluster"
                            + " use env.java.opts.*)."));
    public static final ConfigOption<String> PYROSCOPE_SERVER_ADDRESS = add(
            ConfigOption.builder("PYROSCOPE_SERVER_ADDRESS", String.class, httpUrl())
                    .secret(UrlRedaction::redact) // a URL may carry credentials
                    .valueHint("http(s) URL")
                    .description("Pyroscope server, e.g. http://pyroscope:4040."));
    public static final ConfigOption<Integer> PYROSCOPE_SAMPLE_RATE = add(
            ConfigOption.builder("PYROSCOPE_SAMPLE_RATE", Integer.class, integer(1, 10_000))
                    .defaultValue(100).valueHint("Hz, 1 to 10000")
                    .description("CPU sampling rate of the Pyroscope agent in Hz."));
    public static final ConfigOption<String> LOG_LEVEL = add(
            ConfigOption.builder("LOG_LEVEL", String.class,
                            oneOf(new String[] {"trace", "debug", "info", "warn", "error"},
                                    Map.of("warning", "warn", "fatal", "error", "critical", "error")))
                    .defaultValue("info").valueHint("trace | debug | info | warn | error")
                    .description("Log level of this project's loggers (case-insensitive; warning,"
                            + " fatal and critical are accepted as warn, error, error)."));

    // ---------------------------------------------------------------- query API and ingest

    public static final ConfigOption<Integer> PORT = add(
            portOption("PORT", 8080, "HTTP port of the query API (local mode: also the legacy ingestion routes)."));
    public static final ConfigOption<String> API_TOKEN = add(
            ConfigOption.builder("API_TOKEN", String.class, string())
                    .secret().valueHint("string")
                    .description("Bearer token required by the query API (unset: no authentication)."));
    public static final ConfigOption<Integer> API_RATE_LIMIT_RPS = add(
            ConfigOption.builder("API_RATE_LIMIT_RPS", Integer.class, integer(0, Integer.MAX_VALUE))
                    .defaultValue(1_000).valueHint("requests/s ≥ 0")
                    .description("Token-bucket rate limit per API replica; 0 = off."));
    public static final ConfigOption<Long> API_QUERY_TIMEOUT_MS = add(
            msOption("API_QUERY_TIMEOUT_MS", 50L, 1, "Timeout of one store query of the API."));
    public static final ConfigOption<Long> HTTP_BODY_READ_TIMEOUT_MS = add(
            msOption("HTTP_BODY_READ_TIMEOUT_MS", 10_000L, 1,
                    "Longest wait for the rest of a request body once its headers arrived, on the API's"
                            + " port and the ingest's HTTP port; then 408."));
    public static final ConfigOption<Integer> OTLP_GRPC_PORT = add(
            portOption("OTLP_GRPC_PORT", 4317, "OTLP/gRPC receiver port (ingest service and local mode)."));
    public static final ConfigOption<Integer> OTLP_HTTP_PORT = add(
            portOption("OTLP_HTTP_PORT", 4318, "OTLP/HTTP receiver port (ingest service and local mode)."));
    public static final ConfigOption<Long> OTLP_MAX_BODY_BYTES = add(
            ConfigOption.builder("OTLP_MAX_BODY_BYTES", Long.class, bytes(1))
                    .defaultValue(4L * 1024 * 1024).valueHint("bytes, or 512k, 4m, 4MiB (1k = 1024)")
                    .description("Largest request body (4 MiB), also the bound on its decompressed size;"
                            + " larger → 413."));
    public static final ConfigOption<String> INGEST_TOKEN = add(
            ConfigOption.builder("INGEST_TOKEN", String.class, string())
                    .secret().valueHint("string")
                    .description("Bearer token required by the OTLP and legacy receivers (unset: none)."));

    // ---------------------------------------------------------------- local mode

    public static final ConfigOption<Integer> FLINK_UI_PORT = add(
            portOption("FLINK_UI_PORT", 8081, "Flink web UI port."));
    public static final ConfigOption<Integer> FLINK_METRICS_PORT = add(
            portOption("FLINK_METRICS_PORT", 9249, "Port of the Flink Prometheus reporter."));
    public static final ConfigOption<Integer> KAFKA_PORT = add(
            portOption("KAFKA_PORT", 9092, "Port of the embedded Kafka broker."));
    public static final ConfigOption<Integer> KAFKA_CONTROLLER_PORT = add(
            portOption("KAFKA_CONTROLLER_PORT", 9093, "Port of the embedded Kafka KRaft controller."));
    public static final ConfigOption<Integer> FLINK_RPC_PORT = add(
            portOption("FLINK_RPC_PORT", 6123, "JobManager RPC port of cluster mode's Flink session cluster."));
    public static final ConfigOption<Integer> TASKMANAGERS = add(
            countOption("TASKMANAGERS", 2, "TaskManager processes of cluster mode."));
    public static final ConfigOption<Integer> TASKMANAGER_SLOTS = add(
            countOption("TASKMANAGER_SLOTS", 2, "Task slots of each TaskManager in cluster mode."));
    public static final ConfigOption<Long> TASKMANAGER_RESTART_DELAY_MS = add(
            msOption("TASKMANAGER_RESTART_DELAY_MS", 5_000L, 0,
                    "Cluster mode replaces a TaskManager that died after this pause, as Kubernetes would."));
    public static final ConfigOption<Integer> REDIS_PORT = add(
            portOption("REDIS_PORT", 6379, "Port of the redis-server cluster mode starts when REDIS_URL is unset."));
    public static final ConfigOption<String> DATA_DIR = add(
            ConfigOption.builder("DATA_DIR", String.class, string())
                    .defaultValue("./data").valueHint("path")
                    .description("Data directory of local and cluster mode (Kafka logs, checkpoints, Redis, logs)."));
    public static final ConfigOption<Long> SHUTDOWN_TIMEOUT_SECONDS = add(
            secondsOption("SHUTDOWN_TIMEOUT_SECONDS", 30L, 1,
                    "Local and cluster mode: longest wait for the stop-with-savepoint on SIGTERM/Ctrl-C;"
                            + " then the job is cancelled and the next start resumes from its last"
                            + " completed checkpoint. A second signal exits at once."));

    private static final List<ConfigOption<?>> ALL_VIEW = Collections.unmodifiableList(ALL);
    private static final Map<String, ConfigOption<?>> BY_ENV = new LinkedHashMap<>();
    private static final Map<String, ConfigOption<?>> BY_ARG = new LinkedHashMap<>();

    static {
        for (ConfigOption<?> o : ALL) {
            if (BY_ENV.put(o.envName(), o) != null || BY_ARG.put(o.argName(), o) != null) {
                throw new IllegalStateException("duplicate option " + o.envName());
            }
        }
    }

    /** Every option, in documentation order. */
    public static List<ConfigOption<?>> all() {
        return ALL_VIEW;
    }

    /** The option of an environment name, e.g. {@code CORR_WINDOW_SECONDS}. */
    public static Optional<ConfigOption<?>> byEnvName(String envName) {
        return Optional.ofNullable(BY_ENV.get(envName));
    }

    /** The option of a job argument, with or without its leading dashes. */
    public static Optional<ConfigOption<?>> byArgName(String argName) {
        String key = argName.startsWith("--") ? argName : "--" + argName;
        return Optional.ofNullable(BY_ARG.get(key));
    }

    // ---------------------------------------------------------------- helpers

    private static <T> ConfigOption<T> add(ConfigOption.Builder<T> builder) {
        ConfigOption<T> option = builder.build();
        ALL.add(option);
        return option;
    }

    private static ConfigOption.Builder<String> topicOption(String env, String dflt, String text) {
        return ConfigOption.builder(env, String.class, topic())
                .defaultValue(dflt).valueHint("Kafka topic").description(text);
    }

    private static ConfigOption.Builder<String> encodingOption(String env, String dflt, String text) {
        return ConfigOption.builder(env, String.class, oneOf(ENCODINGS, Map.of()))
                .defaultValue(dflt).valueHint("otlp_proto | otlp_json").description(text);
    }

    private static ConfigOption.Builder<Long> msOption(String env, long dflt, long min, String text) {
        return ConfigOption.builder(env, Long.class, longValue(min))
                .defaultValue(dflt).valueHint("milliseconds ≥ " + min).description(text);
    }

    private static ConfigOption.Builder<Long> secondsOption(String env, long dflt, long min, String text) {
        return ConfigOption.builder(env, Long.class, longValue(min))
                .defaultValue(dflt).valueHint("seconds ≥ " + min).description(text);
    }

    private static ConfigOption.Builder<Integer> countOption(String env, int dflt, String text) {
        return ConfigOption.builder(env, Integer.class, integer(1, Integer.MAX_VALUE))
                .defaultValue(dflt).valueHint("integer ≥ 1").description(text);
    }

    private static ConfigOption.Builder<String> headersOption(String env, String what) {
        return ConfigOption.builder(env, String.class, headers())
                .secret(HeaderList::redact)
                .valueHint("key=value[,key=value…], values %-encoded")
                .description("Extra headers on every " + what + ", as OTEL_EXPORTER_OTLP_HEADERS:"
                        + " e.g. Authorization=Bearer%20<token>. Values are never logged.");
    }

    private static ConfigOption.Builder<String> caFileOption(String env, String endpoint) {
        return ConfigOption.builder(env, String.class, string())
                .valueHint("path")
                .description("PEM file of CA certificates that " + endpoint + "'s TLS certificate is checked"
                        + " against, instead of the JVM's trust store (unset: the JVM's).");
    }

    private static ConfigOption.Builder<String> clientCertOption(String env, String keyEnv, String backend) {
        return ConfigOption.builder(env, String.class, string())
                .valueHint("path")
                .description("PEM client certificate (chain) for mTLS to " + backend + ", with " + keyEnv + ".");
    }

    private static ConfigOption.Builder<String> clientKeyOption(String env, String certEnv) {
        return ConfigOption.builder(env, String.class, string())
                .valueHint("path")
                .description("PEM private key (PKCS#8, unencrypted) of " + certEnv + ". Its contents are never logged.");
    }

    private static ConfigOption.Builder<Integer> portOption(String env, int dflt, String text) {
        return ConfigOption.builder(env, Integer.class, integer(0, MAX_PORT))
                .defaultValue(dflt).valueHint("port, 0 to 65535").description(text);
    }
}
