package org.correlationstation.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfigOptionTest {

    @Test
    void parseErrorsNameTheOptionTheArgumentAndTheValue() {
        assertThatThrownBy(() -> Options.MAX_BATCH_SIZE.parse("12x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value '12x' for MAX_BATCH_SIZE (--max-batch-size): expected an integer ≥ 1");
        assertThatThrownBy(() -> Options.ENABLE_PYROSCOPE.parse("maybe"))
                .hasMessage("Invalid value 'maybe' for ENABLE_PYROSCOPE (--enable-pyroscope): expected true or false");
        assertThatThrownBy(() -> Options.PORT.parse(""))
                .hasMessageContaining("Invalid value '' for PORT");
    }

    @Test
    void integersAndLongs() {
        assertThat(Options.PORT.parse("0")).isZero();
        assertThat(Options.PORT.parse("65535")).isEqualTo(65535);
        assertThatThrownBy(() -> Options.PORT.parse("65536")).hasMessageContaining("from 0 to 65535");
        assertThatThrownBy(() -> Options.PORT.parse("-1")).hasMessageContaining("PORT");
        assertThat(Options.CHECKPOINT_INTERVAL_MS.parse("+60000")).isEqualTo(60_000L);
        assertThatThrownBy(() -> Options.CHECKPOINT_INTERVAL_MS.parse("5")).hasMessageContaining("≥ 10");
        assertThatThrownBy(() -> Options.JOIN_SLACK_MS.parse("1.5")).hasMessageContaining("JOIN_SLACK_MS");
        assertThat(Options.JOIN_SLACK_MS.parse("0")).isZero();
        assertThat(Options.API_RATE_LIMIT_RPS.parse("0")).isZero();
    }

    @Test
    void decimals() {
        assertThat(Options.EXPORT_RETRY_DELAY.parse("0")).isEqualTo(0.0);
        assertThat(Options.EXPORT_RETRY_DELAY.parse("2")).isEqualTo(2.0);
        assertThat(Options.EXPORT_RETRY_DELAY.parse(".5")).isEqualTo(0.5);
        assertThat(Options.EXPORT_TIMEOUT.parse("1e1")).isEqualTo(10.0);
        assertThatThrownBy(() -> Options.EXPORT_TIMEOUT.parse("0")).hasMessageContaining("> 0");
        assertThatThrownBy(() -> Options.EXPORT_RETRY_DELAY.parse("-1")).hasMessageContaining("≥ 0");
        assertThatThrownBy(() -> Options.EXPORT_TIMEOUT.parse("NaN")).hasMessageContaining("EXPORT_TIMEOUT");
        assertThatThrownBy(() -> Options.EXPORT_TIMEOUT.parse("1d")).hasMessageContaining("EXPORT_TIMEOUT");
        assertThatThrownBy(() -> Options.EXPORT_TIMEOUT.parse("Infinity")).hasMessageContaining("EXPORT_TIMEOUT");
    }

    @Test
    void booleans() {
        for (String t : new String[] {"true", "TRUE", "yes", "on", "1"}) {
            assertThat(Options.USE_REDIS_STATE.parse(t)).as(t).isTrue();
        }
        for (String f : new String[] {"false", "False", "no", "off", "0"}) {
            assertThat(Options.USE_REDIS_STATE.parse(f)).as(f).isFalse();
        }
    }

    @Test
    void sizes() {
        assertThat(Options.OTLP_MAX_BODY_BYTES.parse("4194304")).isEqualTo(4_194_304L);
        assertThat(Options.OTLP_MAX_BODY_BYTES.parse("4MiB")).isEqualTo(4_194_304L);
        assertThat(Options.OTLP_MAX_BODY_BYTES.parse("4 mb")).isEqualTo(4_194_304L);
        assertThat(Options.OTLP_MAX_BODY_BYTES.parse("512k")).isEqualTo(524_288L);
        assertThat(Options.OTLP_MAX_BODY_BYTES.parse("1g")).isEqualTo(1L << 30);
        assertThat(Options.OTLP_MAX_BODY_BYTES.format(4_194_304L)).isEqualTo("4194304");
        assertThatThrownBy(() -> Options.OTLP_MAX_BODY_BYTES.parse("4 TB")).hasMessageContaining("OTLP_MAX_BODY_BYTES");
        assertThatThrownBy(() -> Options.OTLP_MAX_BODY_BYTES.parse("0")).hasMessageContaining("≥ 1");
        assertThatThrownBy(() -> Options.OTLP_MAX_BODY_BYTES.parse("99999999999g")).hasMessageContaining("size");
    }

    @Test
    void enumWords() {
        assertThat(Options.KAFKA_SPANS_ENCODING.parse("otlp_json")).isEqualTo("otlp_json");
        assertThat(Options.KAFKA_STARTING_OFFSETS.parse("EARLIEST")).isEqualTo("earliest");
        assertThat(Options.LOG_LEVEL.parse("WARNING")).isEqualTo("warn");
        assertThat(Options.LOG_LEVEL.parse("DEBUG")).isEqualTo("debug");
        assertThatThrownBy(() -> Options.LOG_LEVEL.parse("loud")).hasMessageContaining("trace, debug, info, warn, error");
    }

    @Test
    void topicsEndpointsAndUrls() {
        assertThat(Options.KAFKA_CORRELATIONS_TOPIC.parse("correlations.v1")).isEqualTo("correlations.v1");
        assertThatThrownBy(() -> Options.KAFKA_CORRELATIONS_TOPIC.parse("bad topic")).hasMessageContaining("topic");
        assertThat(Options.TEMPO_GRPC_ENDPOINT.parse("tempo:4317")).isEqualTo("tempo:4317");
        assertThat(Options.TEMPO_GRPC_ENDPOINT.parse("http://tempo:4317")).isEqualTo("http://tempo:4317");
        assertThat(Options.TEMPO_GRPC_ENDPOINT.parse("[::1]:4317")).isEqualTo("[::1]:4317");
        assertThatThrownBy(() -> Options.TEMPO_GRPC_ENDPOINT.parse("tempo")).hasMessageContaining("host:port");
        assertThat(Options.LOKI_URL.parse("http://loki:3100/loki/api/v1/push")).startsWith("http://loki");
        assertThatThrownBy(() -> Options.LOKI_URL.parse("loki:3100")).hasMessageContaining("http");
        assertThatThrownBy(() -> Options.KAFKA_BOOTSTRAP_SERVERS.parse("kafka")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> Options.KAFKA_BOOTSTRAP_SERVERS.parse("a:1,,b:2")).hasMessageContaining("host:port");
    }

    @Test
    void redisUrlPasswordsAreRedacted() {
        ConfigOption<String> o = Options.REDIS_URL;
        assertThat(o.display("redis://redis:6379")).isEqualTo("redis://redis:6379");
        assertThat(o.display("redis://:pw@redis:6379/0")).isEqualTo("redis://:***@redis:6379/0");
        assertThat(o.display("rediss://user:p@ss:w0rd@redis:6380")).isEqualTo("rediss://user:***@redis:6380");
        assertThat(o.display("redis://justapassword@redis")).isEqualTo("redis://***@redis");
        assertThat(o.display("redis-sentinel://:pw@s1:26379,s2:26379/0#mymaster"))
                .isEqualTo("redis-sentinel://:***@s1:26379,s2:26379/0#mymaster");
        assertThat(o.display("redis://redis:6379?timeout=5s&password=pw2")).isEqualTo("redis://redis:6379?timeout=5s&password=***");
        assertThat(Options.API_TOKEN.display("abc")).isEqualTo("***");
        assertThat(Options.KAFKA_BOOTSTRAP_SERVERS.display("k:9092")).isEqualTo("k:9092");
        assertThatThrownBy(() -> o.parse("tcp://:topsecret@redis:6379"))
                .hasMessageContaining("tcp://:***@redis:6379")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void documentedDefaults() {
        assertThat(Options.CORR_WINDOW_SECONDS.documentedDefault()).isEqualTo("`60`");
        assertThat(Options.EXPORT_RETRY_DELAY.documentedDefault()).isEqualTo("`1.0`");
        assertThat(Options.ENABLE_CIRCUIT_BREAKER.documentedDefault()).isEqualTo("`true`");
        assertThat(Options.OTLP_MAX_BODY_BYTES.documentedDefault()).isEqualTo("`4194304`");
        assertThat(Options.REDIS_URL.documentedDefault()).isEqualTo("unset");
    }

    @Test
    void builderChecksNamesAndDefaults() {
        assertThatThrownBy(() -> ConfigOption.builder("lower_case", String.class, raw -> raw))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfigOption.builder("X", Integer.class, raw -> 1).defaultValue(2).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("round-trip");
        ConfigOption<String> custom = ConfigOption.builder("MY_OPTION", String.class, raw -> raw)
                .defaultValue("x").description("d").build();
        assertThat(custom.argName()).isEqualTo("--my-option");
        assertThat(custom.hasDefault()).isTrue();
        assertThat(custom.toString()).isEqualTo("MY_OPTION");
    }
}
