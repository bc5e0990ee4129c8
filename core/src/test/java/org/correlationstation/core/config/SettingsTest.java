package org.correlationstation.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private static Settings settings(Map<String, String> env, String... args) {
        return Settings.from(env, args);
    }

    @Test
    void readsTypedValuesFromTheEnvironment() {
        Settings s = settings(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092",
                "CORR_WINDOW_SECONDS", "120",
                "MAX_LINKS_PER_TRACE", " 50 ",
                "EXPORT_RETRY_DELAY", "0.25",
                "ENABLE_CIRCUIT_BREAKER", "FALSE",
                "OTLP_MAX_BODY_BYTES", "8m",
                "KAFKA_STARTING_OFFSETS", "Latest",
                "PATH", "/usr/bin",
                "UNRELATED", "x"));
        assertThat(s.get(Options.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(s.get(Options.CORR_WINDOW_SECONDS)).isEqualTo(120L);
        assertThat(s.get(Options.MAX_LINKS_PER_TRACE)).isEqualTo(50);
        assertThat(s.get(Options.EXPORT_RETRY_DELAY)).isEqualTo(0.25);
        assertThat(s.get(Options.ENABLE_CIRCUIT_BREAKER)).isFalse();
        assertThat(s.get(Options.OTLP_MAX_BODY_BYTES)).isEqualTo(8L * 1024 * 1024);
        assertThat(s.get(Options.KAFKA_STARTING_OFFSETS)).isEqualTo("latest");
        assertThat(s.isSet(Options.CORR_WINDOW_SECONDS)).isTrue();
        assertThat(s.source(Options.CORR_WINDOW_SECONDS)).isEqualTo(Settings.Source.ENVIRONMENT);
        assertThat(s.isSet(Options.JOIN_SLACK_MS)).isFalse();
        assertThat(s.source(Options.JOIN_SLACK_MS)).isEqualTo(Settings.Source.DEFAULT);
        assertThat(s.get(Options.JOIN_SLACK_MS)).isEqualTo(1000L);
    }

    @Test
    void blankEnvironmentValuesCountAsUnset() {
        Settings s = settings(Map.of("REDIS_URL", "", "CORR_WINDOW_SECONDS", "  "));
        assertThat(s.find(Options.REDIS_URL)).isEmpty();
        assertThat(s.get(Options.CORR_WINDOW_SECONDS)).isEqualTo(60L);
    }

    @Test
    void argumentsOverrideTheEnvironment() {
        Settings s = settings(Map.of("CORR_WINDOW_SECONDS", "120", "KAFKA_SPANS_TOPIC", "env_spans"),
                "--corr-window-seconds", "30");
        assertThat(s.get(Options.CORR_WINDOW_SECONDS)).isEqualTo(30L);
        assertThat(s.source(Options.CORR_WINDOW_SECONDS)).isEqualTo(Settings.Source.ARGUMENT);
        assertThat(s.get(Options.KAFKA_SPANS_TOPIC)).isEqualTo("env_spans");
    }

    @Test
    void acceptsBothArgumentForms() {
        Settings s = settings(Map.of(),
                "--kafka-bootstrap-servers=broker:29092",
                "--join-slack-ms", "250",
                "--deployment-env=prod=eu", // only the first '=' separates
                "--max-parallelism", "256");
        assertThat(s.get(Options.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("broker:29092");
        assertThat(s.get(Options.JOIN_SLACK_MS)).isEqualTo(250L);
        assertThat(s.get(Options.DEPLOYMENT_ENV)).isEqualTo("prod=eu");
        assertThat(s.get(Options.MAX_PARALLELISM)).isEqualTo(256);
    }

    @Test
    void laterArgumentsWin() {
        Settings s = settings(Map.of(), "--port", "1", "--port=2");
        assertThat(s.get(Options.PORT)).isEqualTo(2);
    }

    @Test
    void booleanArgumentsMayOmitTheValue() {
        Settings s = settings(Map.of(), "--enable-pyroscope", "--enable-circuit-breaker", "false");
        assertThat(s.get(Options.ENABLE_PYROSCOPE)).isTrue();
        assertThat(s.get(Options.ENABLE_CIRCUIT_BREAKER)).isFalse();
        assertThat(settings(Map.of(), "--enable-pyroscope").get(Options.ENABLE_PYROSCOPE)).isTrue();
    }

    @Test
    void anEmptyArgumentUnsetsAnOption() {
        Settings s = settings(Map.of("REDIS_URL", "redis://redis:6379", "CORR_WINDOW_SECONDS", "5"),
                "--redis-url=", "--corr-window-seconds=");
        assertThat(s.find(Options.REDIS_URL)).isEmpty();
        assertThat(s.redisUrl()).isEmpty();
        assertThat(s.get(Options.CORR_WINDOW_SECONDS)).isEqualTo(60L);
    }

    @Test
    void aBadIntegerNamesTheOptionAndTheValue() {
        assertThatThrownBy(() -> settings(Map.of("CORR_WINDOW_SECONDS", "sixty")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CORR_WINDOW_SECONDS")
                .hasMessageContaining("--corr-window-seconds")
                .hasMessageContaining("'sixty'")
                .hasMessageContaining("integer")
                .hasMessageContaining("environment");
        assertThatThrownBy(() -> settings(Map.of(), "--max-links-per-trace", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAX_LINKS_PER_TRACE")
                .hasMessageContaining("'0'")
                .hasMessageContaining("≥ 1")
                .hasMessageContaining("arguments");
        assertThatThrownBy(() -> settings(Map.of("PORT", "70000")))
                .hasMessageContaining("PORT").hasMessageContaining("'70000'");
        assertThatThrownBy(() -> settings(Map.of("MAX_BATCH_SIZE", "99999999999")))
                .hasMessageContaining("MAX_BATCH_SIZE");
    }

    /** Issue 24: a trace id pattern that cannot work stops the start, naming the option and the pattern. */
    @Test
    void aBadTraceIdPatternNamesTheOptionAndThePattern() {
        assertThatThrownBy(() -> settings(Map.of("LOG_TRACE_ID_PATTERNS", "[\"trace_id=([0-9a-f]{32})\"]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LOG_TRACE_ID_PATTERNS")
                .hasMessageContaining("--log-trace-id-patterns")
                .hasMessageContaining("pattern 1 (trace_id=([0-9a-f]{32})) has no named group trace_id");
        assertThatThrownBy(() -> settings(Map.of(), "--log-trace-id-patterns", "[\"trace_id=(?<trace_id>[0-9a-f]{32}\"]"))
                .hasMessageContaining("LOG_TRACE_ID_PATTERNS").hasMessageContaining("not a valid regular expression");
        assertThatThrownBy(() -> settings(Map.of("LOG_TRACE_ID_PATTERNS", "trace_id=(?<trace_id>[0-9a-f]{32})")))
                .hasMessageContaining("LOG_TRACE_ID_PATTERNS").hasMessageContaining("expected a JSON array");
        Settings off = settings(Map.of("LOG_TRACE_ID_PATTERNS", " [] ", "LOG_TRACE_ID_SCAN_BYTES", "64k"));
        assertThat(off.get(Options.LOG_TRACE_ID_PATTERNS)).isEqualTo("[]");
        assertThat(off.get(Options.LOG_TRACE_ID_SCAN_BYTES)).isEqualTo(65_536L);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> settings(Map.of("PORT", "x", "EXPORT_TIMEOUT", "0"), "--nope", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--nope")
                .hasMessageContaining("PORT")
                .hasMessageContaining("EXPORT_TIMEOUT");
    }

    @Test
    void rejectsBadEnumValues() {
        assertThatThrownBy(() -> settings(Map.of("KAFKA_ENCODING", "avro")))
                .hasMessageContaining("KAFKA_ENCODING").hasMessageContaining("otlp_proto, otlp_json");
        assertThatThrownBy(() -> settings(Map.of(), "--kafka-starting-offsets", "newest"))
                .hasMessageContaining("KAFKA_STARTING_OFFSETS")
                .hasMessageContaining("committed, earliest, latest");
        assertThat(settings(Map.of("KAFKA_LOGS_ENCODING", "OTLP_JSON")).get(Options.KAFKA_LOGS_ENCODING))
                .isEqualTo("otlp_json");
    }

    @Test
    void unknownArgumentsAreRejectedWithACloseMatch() {
        assertThatThrownBy(() -> settings(Map.of(), "--corr-window-secs", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown argument --corr-window-secs")
                .hasMessageContaining("did you mean --corr-window-seconds?");
        assertThatThrownBy(() -> settings(Map.of(), "--window-seconds=5"))
                .hasMessageContaining("did you mean --corr-window-seconds?");
        assertThatThrownBy(() -> settings(Map.of(), "--KAFKA_BOOTSTRAP_SERVERS", "x:1"))
                .hasMessageContaining("did you mean --kafka-bootstrap-servers?");
        assertThatThrownBy(() -> settings(Map.of(), "--frobnicate", "1", "--zzzz"))
                .hasMessageContaining("Unknown arguments: --frobnicate, --zzzz")
                .hasMessageNotContaining("did you mean");
        assertThatThrownBy(() -> settings(Map.of(), "positional"))
                .hasMessageContaining("Unexpected argument 'positional'");
        assertThatThrownBy(() -> settings(Map.of(), "--port"))
                .hasMessageContaining("--port needs a value");
    }

    @Test
    void kafkaEncodingSetsBothEncodingsUnlessTheyAreSet() {
        Settings both = settings(Map.of("KAFKA_ENCODING", "otlp_json"));
        assertThat(both.get(Options.KAFKA_SPANS_ENCODING)).isEqualTo("otlp_json");
        assertThat(both.get(Options.KAFKA_LOGS_ENCODING)).isEqualTo("otlp_json");
        assertThat(both.source(Options.KAFKA_SPANS_ENCODING)).isEqualTo(Settings.Source.DERIVED);

        Settings one = settings(Map.of("KAFKA_ENCODING", "otlp_json", "KAFKA_LOGS_ENCODING", "otlp_proto"));
        assertThat(one.get(Options.KAFKA_SPANS_ENCODING)).isEqualTo("otlp_json");
        assertThat(one.get(Options.KAFKA_LOGS_ENCODING)).isEqualTo("otlp_proto");

        Settings neither = Settings.defaults();
        assertThat(neither.get(Options.KAFKA_SPANS_ENCODING)).isEqualTo("otlp_proto");
        assertThat(neither.get(Options.KAFKA_LOGS_ENCODING)).isEqualTo("otlp_proto");

        // Arguments override the environment, also across the general and the specific option.
        Settings argGeneral = settings(Map.of("KAFKA_SPANS_ENCODING", "otlp_proto"), "--kafka-encoding", "otlp_json");
        assertThat(argGeneral.get(Options.KAFKA_SPANS_ENCODING)).isEqualTo("otlp_json");
        Settings argSpecific = settings(Map.of("KAFKA_ENCODING", "otlp_json"), "--kafka-spans-encoding", "otlp_proto");
        assertThat(argSpecific.get(Options.KAFKA_SPANS_ENCODING)).isEqualTo("otlp_proto");
        assertThat(argSpecific.get(Options.KAFKA_LOGS_ENCODING)).isEqualTo("otlp_json");
        Settings bothArgs = settings(Map.of(), "--kafka-encoding=otlp_json", "--kafka-logs-encoding=otlp_proto");
        assertThat(bothArgs.get(Options.KAFKA_SPANS_ENCODING)).isEqualTo("otlp_json");
        assertThat(bothArgs.get(Options.KAFKA_LOGS_ENCODING)).isEqualTo("otlp_proto");
    }

    @Test
    void redisUrlSelectsTheStore() {
        assertThat(Settings.defaults().redisUrl()).isEmpty();
        assertThat(settings(Map.of("REDIS_URL", "redis://redis:6379")).redisUrl()).contains("redis://redis:6379");
        assertThat(settings(Map.of("REDIS_URL", "redis://redis:6379", "USE_REDIS_STATE", "true")).redisUrl())
                .contains("redis://redis:6379");
        // false forces the in-memory store even with a URL
        assertThat(settings(Map.of("REDIS_URL", "redis://redis:6379", "USE_REDIS_STATE", "false")).redisUrl())
                .isEmpty();
        assertThat(settings(Map.of("USE_REDIS_STATE", "false")).redisUrl()).isEmpty();
    }

    @Test
    void useRedisStateTrueRequiresARedisUrl() {
        assertThatThrownBy(() -> settings(Map.of("USE_REDIS_STATE", "true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("USE_REDIS_STATE=true requires REDIS_URL");
        assertThatThrownBy(() -> settings(Map.of("REDIS_URL", "redis://r:6379"), "--use-redis-state", "--redis-url="))
                .hasMessageContaining("requires REDIS_URL");
        assertThatThrownBy(() -> settings(Map.of("REDIS_URL", "http://r:6379")))
                .hasMessageContaining("REDIS_URL").hasMessageContaining("Redis URI");
    }

    @Test
    void getWithoutDefaultExplainsWhatToSet() {
        assertThatThrownBy(() -> Settings.defaults().get(Options.LOKI_URL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("LOKI_URL")
                .hasMessageContaining("--loki-url")
                .hasMessageContaining("no default");
        assertThat(Settings.defaults().find(Options.LOKI_URL)).isEmpty();
        assertThat(Settings.defaults().source(Options.LOKI_URL)).isEqualTo(Settings.Source.UNSET);
    }

    @Test
    void checkpointDirDefaultsOnlyInLocalMode() {
        assertThat(Settings.defaults().checkpointDir(true)).isEqualTo("./data/checkpoints");
        assertThat(settings(Map.of("DATA_DIR", "/var/lib/cs/")).checkpointDir(true))
                .isEqualTo("/var/lib/cs/checkpoints");
        assertThatThrownBy(() -> Settings.defaults().checkpointDir(false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CHECKPOINT_DIR")
                .hasMessageContaining("required");
        Settings set = settings(Map.of("CHECKPOINT_DIR", "s3://bucket/cp"));
        assertThat(set.checkpointDir(false)).isEqualTo("s3://bucket/cp");
        assertThat(set.checkpointDir(true)).isEqualTo("s3://bucket/cp");
    }

    @Test
    void parallelismMayNotExceedMaxParallelism() {
        assertThat(settings(Map.of("PARALLELISM", "4")).get(Options.PARALLELISM)).isEqualTo(4);
        assertThatThrownBy(() -> settings(Map.of("PARALLELISM", "200")))
                .hasMessageContaining("MAX_PARALLELISM (128)");
        assertThat(settings(Map.of("PARALLELISM", "200", "MAX_PARALLELISM", "256")).get(Options.PARALLELISM))
                .isEqualTo(200);
    }

    @Test
    void secretsAreRedacted() {
        Settings s = settings(Map.of(
                        "API_TOKEN", "api-secret-1",
                        "INGEST_TOKEN", "ingest-secret-2",
                        "REDIS_URL", "redis://default:redis-secret-3@redis:6379/0"),
                "--kafka-bootstrap-servers", "broker:9092");
        String described = s.describe();
        assertThat(s.toString()).isEqualTo(described);
        assertThat(described)
                .doesNotContain("api-secret-1", "ingest-secret-2", "redis-secret-3")
                .contains("API_TOKEN", "INGEST_TOKEN")
                .contains("redis://default:***@redis:6379/0")
                .contains("broker:9092  [argument]")
                .contains("CORR_WINDOW_SECONDS")
                .contains("LOKI_URL")
                .contains("(unset)");
        assertThat(described).containsPattern("API_TOKEN +\\Q= ***  [environment]\\E");
        assertThat(described.lines().count()).isEqualTo(Options.all().size() + 1);
        // the values themselves are intact
        assertThat(s.get(Options.API_TOKEN)).isEqualTo("api-secret-1");
        assertThat(s.redisUrl()).contains("redis://default:redis-secret-3@redis:6379/0");
    }

    @Test
    void credentialsInEveryUrlValuedOptionAreRedacted() {
        Settings s = settings(Map.of(
                "LOKI_URL", "https://user:s3cret-loki@host/loki/api/v1/push",
                "REDIS_URL", "redis://:pw@h:6379",
                "TEMPO_HTTP_ENDPOINT", "https://tempo:4318/v1/traces?api_key=tempokey1&x=1",
                "TEMPO_GRPC_ENDPOINT", "tempo:4317",
                "PYROSCOPE_SERVER_ADDRESS", "http://pyro-token-2@pyroscope:4040?authToken=pyro-token-3",
                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092"));
        String described = s.describe();
        assertThat(described)
                .doesNotContain("s3cret-loki", ":pw@", "tempokey1", "pyro-token")
                .contains("https://user:***@host/loki/api/v1/push")
                .contains("redis://:***@h:6379")
                .contains("https://tempo:4318/v1/traces?api_key=***&x=1")
                .contains("http://***@pyroscope:4040?authToken=***")
                .contains("tempo:4317")
                .contains("broker-1:9092,broker-2:9092");
        // the sinks get the URL as it was given
        assertThat(s.get(Options.LOKI_URL)).isEqualTo("https://user:s3cret-loki@host/loki/api/v1/push");
        // a bad value of a URL option is not echoed either
        assertThatThrownBy(() -> settings(Map.of("LOKI_URL", "ftp://user:secret@host/push")))
                .hasMessageContaining("LOKI_URL")
                .hasMessageNotContaining("secret@");
    }

    @Test
    void badSecretValuesAreNotEchoed() {
        assertThatThrownBy(() -> settings(Map.of("REDIS_URL", "localhost:6379?password=hunter2")))
                .hasMessageContaining("REDIS_URL")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void kafkaPropertiesAreLoadedButNeverPrinted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=PLAIN\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"app\" password=\"kafka-secret-4\";\n", StandardCharsets.ISO_8859_1);
        Settings s = settings(Map.of("KAFKA_PROPERTIES_FILE", file.toString()));
        Properties props = s.kafkaProperties();
        assertThat(props.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(props.getProperty("sasl.jaas.config")).contains("kafka-secret-4");
        assertThat(s.describe()).contains(file.toString()).doesNotContain("kafka-secret-4", "SASL_SSL");

        assertThat(Settings.defaults().kafkaProperties()).isEmpty();
        Settings missing = settings(Map.of("KAFKA_PROPERTIES_FILE", dir.resolve("nope.properties").toString()));
        assertThatThrownBy(missing::kafkaProperties)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KAFKA_PROPERTIES_FILE")
                .hasMessageContaining("nope.properties");
    }

    @Test
    void settingsSurviveJavaSerialization() throws Exception {
        Settings s = settings(Map.of("KAFKA_ENCODING", "otlp_json", "API_TOKEN", "t"), "--port", "9000");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        Settings copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Settings) in.readObject();
        }
        assertThat(copy).isEqualTo(s);
        assertThat(copy.get(Options.PORT)).isEqualTo(9000);
        assertThat(copy.get(Options.KAFKA_LOGS_ENCODING)).isEqualTo("otlp_json");
        assertThat(copy.source(Options.PORT)).isEqualTo(Settings.Source.ARGUMENT);
    }

    @Test
    void rejectsOptionsOutsideTheCatalogue() {
        ConfigOption<String> stranger = ConfigOption.builder("KAFKA_SPANS_TOPIC", String.class, raw -> raw).build();
        assertThatThrownBy(() -> Settings.defaults().get(stranger)).isInstanceOf(IllegalArgumentException.class);
    }
}
