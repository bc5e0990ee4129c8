package org.correlationstation.connectors.loki;

import org.correlationstation.core.config.UrlRedaction;
import java.io.Serializable;
import java.net.URI;
import org.correlationstation.connectors.export.ExportOptions;
import org.correlationstation.connectors.export.SinkSecurity;

/**
 * Settings of a {@link LokiSink}: the push URL ({@code LOKI_URL}), the optional tenant
 * ({@code LOKI_TENANT}, sent as {@code X-Scope-OrgID}), the shared batching and delivery options, and the
 * bound on a batch's (uncompressed) bytes, which keeps a push under Loki's per-request limits, and what a
 * hosted Loki needs (issue 25): basic auth from the URL's user-info, extra headers ({@code LOKI_HEADERS}),
 * TLS files ({@code LOKI_CA_FILE}, {@code LOKI_CLIENT_CERT_FILE}, {@code LOKI_CLIENT_KEY_FILE}).
 */
public record LokiSinkOptions(String pushUrl, String tenant, ExportOptions export, long maxBatchBytes,
        SinkSecurity security) implements Serializable {

    public LokiSinkOptions(String pushUrl, String tenant, ExportOptions export, long maxBatchBytes) {
        this(pushUrl, tenant, export, maxBatchBytes, SinkSecurity.none());
    }

    public LokiSinkOptions {
        if (pushUrl == null || pushUrl.isBlank()) {
            throw new IllegalArgumentException("the Loki push URL (LOKI_URL) is required");
        }
        URI uri = URI.create(SinkSecurity.withoutUserInfo(pushUrl));
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("LOKI_URL must be an http(s) URL: " + UrlRedaction.redact(pushUrl));
        }
        if (export == null) {
            throw new IllegalArgumentException("export options are required");
        }
        if (maxBatchBytes < LokiSinkWriter.MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("maxBatchBytes must be at least " + LokiSinkWriter.MAX_ENTRY_BYTES);
        }
        tenant = tenant == null || tenant.isBlank() ? null : tenant;
        security = security == null ? SinkSecurity.none() : security;
        if (security.hasTlsFiles() && !SinkSecurity.isHttps(pushUrl)) {
            // the files would go unused and the push travel in plaintext: refused rather than ignored
            throw new IllegalArgumentException("LOKI_CA_FILE and LOKI_CLIENT_CERT_FILE need an https:// LOKI_URL, got "
                    + UrlRedaction.redact(pushUrl));
        }
    }

    @Override
    public String toString() { // no credentials of the URL (user-info, token parameters) are logged
        return "LokiSinkOptions{url=" + UrlRedaction.redact(pushUrl) + ", tenant=" + tenant + ", " + export
                + ", maxBatchBytes=" + maxBatchBytes + ", " + security + "}";
    }
}
