package org.correlationstation.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.correlationstation.connectors.loki.LokiSinkOptions;
import org.correlationstation.connectors.tempo.TempoSinkOptions;
import org.correlationstation.core.config.Settings;
import org.junit.jupiter.api.Test;

/** The issue 25 options reach the sinks' builders as they are documented (docs/sinks.md "Hosted backends"). */
class HostedSinkSettingsTest {

    private static Settings settings(Map<String, String> env) {
        return Settings.from(env, new String[0]);
    }

    @Test
    void lokiGetsItsHeadersAndTlsFiles() {
        Settings s = settings(Map.of(
                "LOKI_URL", "https://123:secret@logs.example.com/loki/api/v1/push",
                "LOKI_HEADERS", "X-Team=a%20b",
                "LOKI_CA_FILE", "/etc/cs/ca.pem",
                "LOKI_CLIENT_CERT_FILE", "/etc/cs/client.pem",
                "LOKI_CLIENT_KEY_FILE", "/etc/cs/client-key.pem"));

        LokiSinkOptions options = CorrelationPipeline.lokiSink(s, s.get(org.correlationstation.core.config.Options.LOKI_URL))
                .options();

        assertThat(options.security().headers()).containsExactly(Map.entry("X-Team", "a b"));
        assertThat(options.security().caFile()).isEqualTo("/etc/cs/ca.pem");
        assertThat(options.security().clientCertFile()).isEqualTo("/etc/cs/client.pem");
        assertThat(options.security().clientKeyFile()).isEqualTo("/etc/cs/client-key.pem");
        assertThat(options.security().requestHeaders(options.pushUrl()))
                .containsEntry("Authorization", "Basic MTIzOnNlY3JldA=="); // 123:secret
        assertThat(options.toString()).doesNotContain("secret", "a b").contains("https://123:***@logs.example.com");
    }

    @Test
    void tempoGetsHeadersTlsFilesAndCompression() {
        Settings s = settings(Map.of(
                "TEMPO_GRPC_ENDPOINT", "https://tempo.example.com:443",
                "TEMPO_HEADERS", "Authorization=Bearer%20tok",
                "TEMPO_CA_FILE", "/etc/cs/ca.pem",
                "TEMPO_COMPRESSION", "gzip"));

        TempoSinkOptions options = CorrelationPipeline.tempoSink(s).options();

        assertThat(options.grpcEndpoint()).isEqualTo("https://tempo.example.com:443");
        assertThat(options.security().headers()).containsExactly(Map.entry("Authorization", "Bearer tok"));
        assertThat(options.security().caFile()).isEqualTo("/etc/cs/ca.pem");
        assertThat(options.gzip()).isTrue();
        assertThat(options.toString()).doesNotContain("tok");
        assertThat(CorrelationPipeline.tempoSink(settings(Map.of("TEMPO_HTTP_ENDPOINT", "http://tempo:4318/v1/traces")))
                .options().gzip()).isFalse();
    }

    @Test
    void tlsFilesWithAPlaintextEndpointStopTheStart() {
        // a CA file beside http:// would be silently unused and the data sent in plaintext
        Settings s = settings(Map.of("TEMPO_GRPC_ENDPOINT", "tempo:4317", "TEMPO_CA_FILE", "/etc/cs/ca.pem"));
        assertThatThrownBy(() -> CorrelationPipeline.tempoSink(s))
                .hasMessageContaining("need an https:// Tempo endpoint");
    }
}
