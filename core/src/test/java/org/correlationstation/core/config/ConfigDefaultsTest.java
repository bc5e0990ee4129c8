package org.correlationstation.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.logtext.TraceIdPatterns;
import org.junit.jupiter.api.Test;

/** The catalogue against SPEC §8: every setting, its default and its type. */
class ConfigDefaultsTest {

    /** SPEC §8, in documentation order; null = no default (unset). */
    private static final Map<String, Object> SPEC = new LinkedHashMap<>();

    static {
        // Kafka
        SPEC.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        SPEC.put("KAFKA_SPANS_TOPIC", "otlp_spans");
        SPEC.put("KAFKA_LOGS_TOPIC", "otlp_logs");
        SPEC.put("KAFKA_DLQ_TOPIC", "otlp_dlq");
        SPEC.put("KAFKA_GROUP_ID", "correlation-station");
        SPEC.put("KAFKA_ENCODING", null);
        SPEC.put("KAFKA_SPANS_ENCODING", "otlp_proto");
        SPEC.put("KAFKA_LOGS_ENCODING", "otlp_proto");
        SPEC.put("KAFKA_STARTING_OFFSETS", "committed");
        SPEC.put("KAFKA_PROPERTIES_FILE", null);
        SPEC.put("KAFKA_CORRELATIONS_TOPIC", null);
        SPEC.put("KAFKA_NORMALIZED_SPANS_TOPIC", null);
        SPEC.put("KAFKA_NORMALIZED_LOGS_TOPIC", null);
        // job, time, state
        SPEC.put("PARALLELISM", null);
        SPEC.put("MAX_PARALLELISM", 128);
        SPEC.put("CHECKPOINT_INTERVAL_MS", 10_000L);
        SPEC.put("CHECKPOINT_DIR", null);
        SPEC.put("MAX_OUT_OF_ORDERNESS_MS", 5_000L);
        SPEC.put("SOURCE_IDLE_TIMEOUT_MS", 30_000L);
        // correlation semantics
        SPEC.put("CORR_WINDOW_SECONDS", 60L);
        SPEC.put("JOIN_SLACK_MS", 1_000L);
        SPEC.put("JOIN_MAX_WAIT_MS", 2_000L);
        SPEC.put("CORRELATION_EMIT_INTERVAL_MS", 1_000L);
        SPEC.put("CORRELATION_TTL_SECONDS", 3_600L);
        // issue 24 (SPEC §8; docs/semantics.md "Service graph")
        SPEC.put("GRAPH_BUCKET_SECONDS", 60L);
        SPEC.put("MAX_SPANS_TRACKED_PER_TRACE", 10_000);
        SPEC.put("MAX_LINKS_PER_TRACE", 1_000);
        SPEC.put("MAX_SERVICES_PER_TRACE", 100);
        SPEC.put("DEPLOYMENT_ENV", "dev");
        // issue 24 (SPEC §8; docs/semantics.md "Trace ids in log bodies")
        SPEC.put("LOG_TRACE_ID_PATTERNS", TraceIdPatterns.DEFAULT_JSON);
        SPEC.put("LOG_TRACE_ID_SCAN_BYTES", 4_096L);
        // Redis
        SPEC.put("REDIS_URL", null);
        SPEC.put("USE_REDIS_STATE", null);
        SPEC.put("REDIS_MAX_CONNECTIONS", 50);
        SPEC.put("REDIS_BATCH_WAIT_MS", 100L);
        // issue 23 (SPEC §8; docs/redis.md "Failover")
        SPEC.put("REDIS_WAIT_REPLICAS", 0);
        SPEC.put("INDEX_TRIM_INTERVAL_SECONDS", 60L);
        SPEC.put("MEMORY_STORE_MAX_RECORDS", 1_000_000);
        // issue 22 (not in SPEC §8 yet): 0 = a quarter of the heap
        SPEC.put("MEMORY_STORE_MAX_BYTES", 0L);
        // sinks
        SPEC.put("LOKI_URL", null);
        SPEC.put("LOKI_TENANT", null);
        // issue 25 (SPEC §8: LOKI_HEADERS, TEMPO_HEADERS, *_CA_FILE, client certificates)
        SPEC.put("LOKI_HEADERS", null);
        SPEC.put("LOKI_CA_FILE", null);
        SPEC.put("LOKI_CLIENT_CERT_FILE", null);
        SPEC.put("LOKI_CLIENT_KEY_FILE", null);
        SPEC.put("TEMPO_GRPC_ENDPOINT", null);
        SPEC.put("TEMPO_HTTP_ENDPOINT", null);
        SPEC.put("TEMPO_HEADERS", null);
        SPEC.put("TEMPO_CA_FILE", null);
        SPEC.put("TEMPO_CLIENT_CERT_FILE", null);
        SPEC.put("TEMPO_CLIENT_KEY_FILE", null);
        SPEC.put("TEMPO_COMPRESSION", "none");
        SPEC.put("MAX_BATCH_SIZE", 5_000);
        SPEC.put("EXPORT_BATCH_WAIT_MS", 1_000L);
        SPEC.put("EXPORT_RETRY_ATTEMPTS", 3);
        SPEC.put("EXPORT_RETRY_DELAY", 1.0);
        SPEC.put("EXPORT_TIMEOUT", 10.0);
        SPEC.put("ENABLE_CIRCUIT_BREAKER", true);
        SPEC.put("CIRCUIT_BREAKER_FAILURE_THRESHOLD", 5);
        SPEC.put("CIRCUIT_BREAKER_RECOVERY_TIMEOUT", 60L);
        // profiling and logging
        SPEC.put("ENABLE_PYROSCOPE", false);
        SPEC.put("PYROSCOPE_SERVER_ADDRESS", null);
        SPEC.put("PYROSCOPE_SAMPLE_RATE", 100);
        SPEC.put("LOG_LEVEL", "info");
        // API and ingest
        SPEC.put("PORT", 8080);
        SPEC.put("API_TOKEN", null);
        SPEC.put("API_RATE_LIMIT_RPS", 1_000);
        SPEC.put("API_QUERY_TIMEOUT_MS", 50L);
        // issue 25 (not in SPEC §8 yet; docs/configuration.md)
        SPEC.put("HTTP_BODY_READ_TIMEOUT_MS", 10_000L);
        SPEC.put("OTLP_GRPC_PORT", 4317);
        SPEC.put("OTLP_HTTP_PORT", 4318);
        SPEC.put("OTLP_MAX_BODY_BYTES", 4L * 1024 * 1024);
        SPEC.put("INGEST_TOKEN", null);
        // local mode
        SPEC.put("FLINK_UI_PORT", 8081);
        SPEC.put("FLINK_METRICS_PORT", 9249);
        SPEC.put("KAFKA_PORT", 9092);
        SPEC.put("KAFKA_CONTROLLER_PORT", 9093);
        // cluster mode (not in SPEC; docs/cluster.md)
        SPEC.put("FLINK_RPC_PORT", 6123);
        SPEC.put("TASKMANAGERS", 2);
        SPEC.put("TASKMANAGER_SLOTS", 2);
        SPEC.put("TASKMANAGER_RESTART_DELAY_MS", 5_000L);
        SPEC.put("REDIS_PORT", 6379);
        SPEC.put("DATA_DIR", "./data");
        // issue 22 (not in SPEC §8 yet; docs/local.md, docs/cluster.md)
        SPEC.put("SHUTDOWN_TIMEOUT_SECONDS", 30L);
    }

    @Test
    void catalogueHasEverySpecSettingInDocumentationOrder() {
        List<String> names = new ArrayList<>();
        for (ConfigOption<?> option : Options.all()) {
            names.add(option.envName());
        }
        assertThat(names).containsExactlyElementsOf(SPEC.keySet());
    }

    @Test
    void defaultsMatchSpec() {
        Settings defaults = Settings.defaults();
        for (ConfigOption<?> option : Options.all()) {
            Object expected = SPEC.get(option.envName());
            assertThat(option.defaultValue().orElse(null)).as(option.envName()).isEqualTo(expected);
            assertThat(defaults.find(option).orElse(null)).as(option.envName()).isEqualTo(expected);
            assertThat(defaults.isSet(option)).as(option.envName()).isFalse();
            if (expected != null) {
                assertThat(option.type()).as(option.envName()).isEqualTo(expected.getClass());
            }
        }
    }

    @Test
    void constantsAreNamedAfterTheirEnvironmentVariable() throws Exception {
        for (ConfigOption<?> option : Options.all()) {
            assertThat(Options.class.getField(option.envName()).get(null)).isSameAs(option);
        }
    }

    @Test
    void typesFollowTheUnits() {
        for (ConfigOption<?> option : Options.all()) {
            String name = option.envName();
            if (name.endsWith("_MS") || name.endsWith("_SECONDS") || name.endsWith("_BYTES")) {
                assertThat(option.type()).as(name).isEqualTo(Long.class);
            }
            if (name.endsWith("PORT")) {
                assertThat(option.type()).as(name).isEqualTo(Integer.class);
            }
        }
        assertThat(Options.EXPORT_RETRY_DELAY.type()).isEqualTo(Double.class);
        assertThat(Options.EXPORT_TIMEOUT.type()).isEqualTo(Double.class);
        assertThat(Options.PARALLELISM.type()).isEqualTo(Integer.class);
        assertThat(Options.USE_REDIS_STATE.type()).isEqualTo(Boolean.class);
    }

    @Test
    void onlyTokensUrlsThatMayHoldCredentialsAndSinkHeadersAreSecret() {
        List<String> secret = new ArrayList<>();
        for (ConfigOption<?> option : Options.all()) {
            if (option.isSecret()) {
                secret.add(option.envName());
            }
        }
        assertThat(secret).containsExactlyInAnyOrder("REDIS_URL", "API_TOKEN", "INGEST_TOKEN",
                // issue 25: URLs may carry credentials (shown with them redacted), and the sinks' headers
                "LOKI_URL", "LOKI_HEADERS", "TEMPO_GRPC_ENDPOINT", "TEMPO_HTTP_ENDPOINT", "TEMPO_HEADERS",
                "PYROSCOPE_SERVER_ADDRESS");
    }

    @Test
    void argumentNamesAreKebabCaseOfTheEnvironmentName() {
        assertThat(Options.CORR_WINDOW_SECONDS.argName()).isEqualTo("--corr-window-seconds");
        assertThat(Options.KAFKA_BOOTSTRAP_SERVERS.argName()).isEqualTo("--kafka-bootstrap-servers");
        assertThat(Options.MAX_OUT_OF_ORDERNESS_MS.argName()).isEqualTo("--max-out-of-orderness-ms");
        for (ConfigOption<?> option : Options.all()) {
            assertThat(option.argName()).matches("--[a-z0-9]+(-[a-z0-9]+)*");
            assertThat(Options.byArgName(option.argName())).containsSame(option);
            assertThat(Options.byEnvName(option.envName())).containsSame(option);
            assertThat(option.description()).as(option.envName()).isNotBlank();
        }
    }
}
