package org.correlationstation.connectors.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.correlationstation.connectors.testutil.TestCertificates;
import org.correlationstation.core.config.UrlRedaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic auth from URLs, redaction, and the PEM files a user may give (issue 25). */
class SinkSecurityTest {

    @Test
    void userInfoBecomesBasicAuthAndLeavesTheUrl() {
        String url = "https://123456:p%40ss:w@rd@logs.example.com:443/loki/api/v1/push?x=a@b";
        // the user-info ends at the authority's last '@', so an unencoded '@' in the password is kept in it
        assertThat(SinkSecurity.withoutUserInfo(url)).isEqualTo("https://logs.example.com:443/loki/api/v1/push?x=a@b");
        // logged through the one redactor of every URL-valued option: up to the last '@', so the password's tail cannot leak
        assertThat(UrlRedaction.redact(url)).isEqualTo("https://123456:***@b").doesNotContain("rd");
        assertThat(SinkSecurity.none().requestHeaders(url))
                .containsExactly(Map.entry("Authorization", "Basic MTIzNDU2OnBAc3M6d0ByZA==")); // 123456:p@ss:w@rd
        assertThat(SinkSecurity.none().requestHeaders("https://logs.example.com/push")).isEmpty();
        assertThat(new SinkSecurity(Map.of("authorization", "Bearer t"), null, null, null).requestHeaders(url))
                .containsExactly(Map.entry("authorization", "Bearer t"));
    }

    @Test
    void theTestCasFilesAreRead() {
        TestCertificates certs = TestCertificates.get();
        assertThat(PemTls.trust(certs.caFile().toString(), "TEMPO_CA_FILE")).isNotNull();
        assertThat(PemTls.keys(certs.clientCertFile().toString(), certs.clientKeyFile().toString(), "C", "K"))
                .isNotNull();
        assertThat(PemTls.trust(null, "TEMPO_CA_FILE")).as("unset: the JVM's trust").isNull();
    }

    @Test
    void aKeyTheJdkCannotReadIsRefusedWithTheWayOut(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("key.pem");
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
                + "-----END RSA PRIVATE KEY-----\n");
        TestCertificates certs = TestCertificates.get();
        assertThatThrownBy(() -> PemTls.keys(certs.clientCertFile().toString(), key.toString(),
                "LOKI_CLIENT_CERT_FILE", "LOKI_CLIENT_KEY_FILE"))
                .hasMessageContaining("LOKI_CLIENT_KEY_FILE")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt")
                .hasMessageNotContaining("MIIBOgIBAAJBAKj34");
        assertThatThrownBy(() -> PemTls.trust(dir.resolve("missing.pem").toString(), "LOKI_CA_FILE"))
                .hasMessageContaining("LOKI_CA_FILE");
    }
}
