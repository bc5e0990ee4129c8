package org.correlationstation.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sinks' credentials (issue 25): read as the OTel exporters read theirs, and never printed. */
class SinkCredentialsSettingsTest {

    @Test
    void theSettingsPrintOutRedactsHeaderValuesAndUrlPasswords() {
        Settings s = Settings.from(Map.of(
                "LOKI_URL", "https://123456:loki-secret-1@logs-prod.grafana.net/loki/api/v1/push",
                "LOKI_HEADERS", "Authorization=Bearer%20loki-secret-2,X-Team=loki-secret-3",
                "TEMPO_HTTP_ENDPOINT", "https://tempo-user:tempo-secret-4@tempo.example.com/v1/traces",
                "TEMPO_GRPC_ENDPOINT", "https://grpc-user:tempo-secret-5@tempo.example.com:443",
                "TEMPO_HEADERS", "authorization=Basic%20tempo-secret-6",
                "LOKI_CLIENT_CERT_FILE", "/etc/cs/loki-client.pem",
                "LOKI_CLIENT_KEY_FILE", "/etc/cs/loki-client-key.pem"), new String[0]);

        String printed = s.describe();

        assertThat(printed).doesNotContain("loki-secret-1", "loki-secret-2", "loki-secret-3", "tempo-secret-4",
                "tempo-secret-5", "tempo-secret-6", "Bearer");
        assertThat(printed)
                .contains("https://123456:***@logs-prod.grafana.net/loki/api/v1/push")
                .contains("Authorization=***,X-Team=***")
                .contains("https://tempo-user:***@tempo.example.com/v1/traces")
                .contains("https://grpc-user:***@tempo.example.com:443")
                .contains("authorization=***")
                .contains("/etc/cs/loki-client-key.pem"); // the path, not the key
        // the values themselves are intact for the sinks
        assertThat(s.get(Options.LOKI_HEADERS)).isEqualTo("Authorization=Bearer%20loki-secret-2,X-Team=loki-secret-3");
        assertThat(s.get(Options.LOKI_URL)).contains("loki-secret-1");
    }

    @Test
    void headersAreReadAsOtelExporterHeaders() {
        assertThat(HeaderList.parse(" Authorization = Bearer%20abc+def%3D%3D , X-Scope-OrgID=tenant-1,,"))
                .containsExactly(Map.entry("Authorization", "Bearer abc+def=="), Map.entry("X-Scope-OrgID", "tenant-1"));
        assertThat(HeaderList.parse("a=1%2C2,A=3")).containsExactly(Map.entry("A", "3"));
        assertThat(HeaderList.parse("empty=")).containsExactly(Map.entry("empty", ""));
    }

    @Test
    void aMalformedHeaderListStopsTheStartWithoutEchoingIt() {
        assertThatThrownBy(() -> Settings.from(Map.of("LOKI_HEADERS", "Authorization: Bearer hunter2"), new String[0]))
                .hasMessageContaining("LOKI_HEADERS")
                .hasMessageContaining("without '='")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Settings.from(Map.of("TEMPO_HEADERS", "x=%zzhunter2"), new String[0]))
                .hasMessageContaining("TEMPO_HEADERS")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Settings.from(Map.of("TEMPO_HEADERS", "x=a%0D%0AInjected:%20hunter2"), new String[0]))
                .hasMessageContaining("line break")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aClientCertificateNeedsItsKey() {
        assertThatThrownBy(() -> Settings.from(Map.of("TEMPO_CLIENT_CERT_FILE", "/c.pem"), new String[0]))
                .hasMessageContaining("TEMPO_CLIENT_CERT_FILE and TEMPO_CLIENT_KEY_FILE go together");
        assertThat(Settings.defaults().get(Options.TEMPO_COMPRESSION)).isEqualTo("none");
        assertThat(Settings.from(Map.of("TEMPO_COMPRESSION", "GZIP"), new String[0]).get(Options.TEMPO_COMPRESSION))
                .isEqualTo("gzip");
    }
}
