package org.correlationstation.ingest.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.ingest.export.ExportResult;
import org.correlationstation.ingest.export.OtlpIngestion;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * {@code POST /v1/traces} and {@code POST /v1/logs} (and their {@code /api/otlp} aliases), per the
 * OTLP/HTTP specification: 200 with an {@code Export*ServiceResponse} in the request's content type
 * (with {@code partial_success} when records were rejected), errors as a {@code google.rpc.Status} in
 * the request's content type (JSON when the content type is not an OTLP one). The answer completes
 * only after Kafka acknowledged every record (no thread waits for Kafka).
 */
final class OtlpHttpHandler implements IngestEndpoint {
    enum Signal { TRACES, LOGS }

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final com.fasterxml.jackson.databind.ObjectMapper STATUS_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final Signal signal;
    private final String route;
    private final OtlpIngestion ingestion;
    private final ReceiverPolicy policy;
    private final IngestMetrics metrics;

    OtlpHttpHandler(Signal signal, String route, OtlpIngestion ingestion, ReceiverPolicy policy, IngestMetrics metrics) {
        this.signal = signal;
        this.route = route;
        this.ingestion = ingestion;
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<IngestResponse> handle(IngestRequest request) {
        OtlpContentType type = OtlpContentType.of(request.contentType());
        CompletableFuture<ExportResult> stored;
        try {
            policy.authorize(request.authorization());
            if (type == null) {
                throw HttpFailure.unsupportedMediaType("Content-Type must be application/x-protobuf or"
                        + " application/json; " + HttpFailure.describeContentType(request.contentType()));
            }
            byte[] body = policy.readBody(request);
            stored = signal == Signal.TRACES ? ingestion.traces(body, type.encoding) : ingestion.logs(body, type.encoding);
        } catch (HttpFailure f) {
            return CompletableFuture.completedFuture(fail(type, f));
        } catch (MalformedOtlpException e) {
            return CompletableFuture.completedFuture(fail(type, HttpFailure.invalid(e.describe())));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return stored.handle((result, e) -> e == null ? succeed(type, result) : fail(type, ReceiverPolicy.failureOf(e)));
    }

    private IngestResponse succeed(OtlpContentType type, ExportResult result) {
        Message response = signal == Signal.TRACES ? traceResponse(result) : logsResponse(result);
        return write(200, type, response, Map.of());
    }

    private IngestResponse fail(OtlpContentType type, HttpFailure f) {
        Map<String, String> headers = f.retryAfterSeconds() == null ? Map.of()
                : Map.of("Retry-After", Integer.toString(f.retryAfterSeconds()));
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(f.rpcCode().getNumber()).setMessage(f.getMessage()).build();
        return write(f.status(), type == null ? OtlpContentType.JSON : type, status, headers);
    }

    private IngestResponse write(int status, OtlpContentType type, Message body, Map<String, String> headers) {
        byte[] bytes;
        if (type == OtlpContentType.PROTOBUF) {
            bytes = body.toByteArray();
        } else if (body instanceof com.google.rpc.Status s) {
            // JsonFormat writes strings through Gson's HTML-safe escaping ('  → \u0027, = → \u003d):
            // an error message a person reads must come out as written, so Jackson writes it.
            bytes = statusJson(s);
        } else {
            try {
                bytes = JSON.print(body).getBytes(StandardCharsets.UTF_8);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("OTLP responses have no Any fields", e);
            }
        }
        metrics.request(route, Integer.toString(status));
        return new IngestResponse(status, type.mediaType, bytes, headers);
    }

    private static byte[] statusJson(com.google.rpc.Status s) {
        try {
            return STATUS_JSON.writeValueAsBytes(Map.of("code", s.getCode(), "message", s.getMessage()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of a number and a string is always JSON", e);
        }
    }

    private static ExportTraceServiceResponse traceResponse(ExportResult r) {
        ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
        if (r.rejected() > 0) {
            b.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(r.rejected()).setErrorMessage(r.errorMessage()));
        }
        return b.build();
    }

    private static ExportLogsServiceResponse logsResponse(ExportResult r) {
        ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
        if (r.rejected() > 0) {
            b.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                    .setRejectedLogRecords(r.rejected()).setErrorMessage(r.errorMessage()));
        }
        return b.build();
    }
}
