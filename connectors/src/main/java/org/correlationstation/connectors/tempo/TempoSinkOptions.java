package org.correlationstation.connectors.tempo;

import java.io.Serializable;
import org.correlationstation.connectors.export.ExportOptions;
import org.correlationstation.connectors.export.SinkSecurity;
import org.correlationstation.core.config.UrlRedaction;

/**
 * Where the Tempo sink sends and how: exactly one of {@code grpcEndpoint} ({@code host:port},
 * {@code TEMPO_GRPC_ENDPOINT}) and {@code httpEndpoint} ({@code …/v1/traces}, {@code TEMPO_HTTP_ENDPOINT});
 * the shared batching and delivery settings, with {@code maxBatchSize} counted in spans; and the largest
 * request built from several messages; and what a hosted Tempo needs (issue 25): TLS ({@code https://}
 * endpoints, with the files of {@code security}), basic auth from the endpoint's user-info, extra headers
 * ({@code TEMPO_HEADERS}), and gzip ({@code TEMPO_COMPRESSION}).
 */
public record TempoSinkOptions(String grpcEndpoint, String httpEndpoint, ExportOptions export, long maxRequestBytes,
        SinkSecurity security, boolean gzip) implements Serializable {

    public TempoSinkOptions(String grpcEndpoint, String httpEndpoint, ExportOptions export, long maxRequestBytes) {
        this(grpcEndpoint, httpEndpoint, export, maxRequestBytes, SinkSecurity.none(), false);
    }

    public TempoSinkOptions {
        boolean grpc = grpcEndpoint != null && !grpcEndpoint.isBlank();
        boolean http = httpEndpoint != null && !httpEndpoint.isBlank();
        if (grpc == http) {
            throw new IllegalArgumentException(
                    "the Tempo sink needs exactly one of TEMPO_GRPC_ENDPOINT and TEMPO_HTTP_ENDPOINT");
        }
        if (export == null) {
            throw new IllegalArgumentException("export options missing");
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be >= 1");
        }
        if (grpc) {
            OtlpGrpcTraceTransport.hostPort(grpcEndpoint); // validates
        }
        security = security == null ? SinkSecurity.none() : security;
        if (security.hasTlsFiles() && !SinkSecurity.isHttps(grpc ? grpcEndpoint : httpEndpoint)) {
            // the files would go unused and spans travel in plaintext: refused rather than ignored
            throw new IllegalArgumentException("TEMPO_CA_FILE and TEMPO_CLIENT_CERT_FILE need an https:// Tempo"
                    + " endpoint, got " + UrlRedaction.redact(grpc ? grpcEndpoint : httpEndpoint));
        }
    }

    /** Never the endpoint's password nor the headers' values: this is logged. */
    @Override
    public String toString() {
        return "TempoSinkOptions{" + (grpc() ? "grpc=" : "http=") + UrlRedaction.redact(endpoint()) + ", "
                + export + ", maxRequestBytes=" + maxRequestBytes + ", " + security + ", gzip=" + gzip + "}";
    }

    public boolean grpc() {
        return grpcEndpoint != null && !grpcEndpoint.isBlank();
    }

    public String endpoint() {
        return grpc() ? grpcEndpoint : httpEndpoint;
    }
}
