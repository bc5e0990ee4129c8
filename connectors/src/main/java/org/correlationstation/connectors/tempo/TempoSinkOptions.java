package org.correlationstation.connectors.tempo;

import java.io.Serializable;
import org.correlationstation.connectors.export.ExportOptions;

/**
 * Where the Tempo sink sends and how: exactly one of {@code grpcEndpoint} ({@code host:port},
 * {@code TEMPO_GRPC_ENDPOINT}) and {@code httpEndpoint} ({@code …/v1/traces}, {@code TEMPO_HTTP_ENDPOINT});
 * the shared batching and delivery settings, with {@code maxBatchSize} counted in spans; and the largest
 * request built from several messages.
 */
public record TempoSinkOptions(String grpcEndpoint, String httpEndpoint, ExportOptions export, long maxRequestBytes)
        implements Serializable {

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
    }

    public boolean grpc() {
        return grpcEndpoint != null && !grpcEndpoint.isBlank();
    }

    public String endpoint() {
        return grpc() ? grpcEndpoint : httpEndpoint;
    }
}
