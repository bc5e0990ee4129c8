package org.correlationstation.ingest.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.ingest.export.ExportResult;
import org.correlationstation.ingest.export.OtlpIngestion;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * {@code POST /v1/traces} and {@code POST /v1/logs} (and their {@code /api/otlp} aliases), per the
 * OTLP/HTTP specification: 200 with an {@code Export*ServiceResponse} in the request's content type
 * (with {@code partial_success} when records were rejected), errors as a {@code google.rpc.Status} in
 * the request's content type (JSON when the content type is not an OTLP one). The response is sent
 * only after Kafka acknowledged every record ({@code ctx.future}: no thread waits for Kafka).
 */
final class OtlpHttpHandler implements Handler {
    enum Signal { TRACES, LOGS }

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

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
    public void handle(Context ctx) throws Exception {
        OtlpContentType type = OtlpContentType.of(ctx.header("Content-Type"));
        CompletableFuture<ExportResult> stored;
        try {
            policy.authorize(ctx);
            if (type == null) {
                throw HttpFailure.unsupportedMediaType("Content-Type must be application/x-protobuf or"
                        + " application/json, not '" + ctx.header("Content-Type") + "'");
            }
            byte[] body = policy.readBody(ctx);
            stored = signal == Signal.TRACES ? ingestion.traces(body, type.encoding) : ingestion.logs(body, type.encoding);
        } catch (HttpFailure f) {
            fail(ctx, type, f);
            return;
        } catch (MalformedOtlpException e) {
            fail(ctx, type, HttpFailure.invalid(e.describe()));
            return;
        }
        ctx.future(() -> stored.handle((result, e) -> {
            if (e == null) succeed(ctx, type, result);
            else fail(ctx, type, ReceiverPolicy.failureOf(e));
            return null;
        }));
    }

    private void succeed(Context ctx, OtlpContentType type, ExportResult result) {
        Message response = signal == Signal.TRACES ? traceResponse(result) : logsResponse(result);
        write(ctx, 200, type, response);
    }

    private void fail(Context ctx, OtlpContentType type, HttpFailure f) {
        if (f.retryAfterSeconds() != null) ctx.header("Retry-After", Integer.toString(f.retryAfterSeconds()));
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(f.rpcCode().getNumber()).setMessage(String.valueOf(f.getMessage())).build();
        write(ctx, f.status(), type == null ? OtlpContentType.JSON : type, status);
    }

    private void write(Context ctx, int status, OtlpContentType type, Message body) {
        ctx.status(status).contentType(type.mediaType);
        if (type == OtlpContentType.PROTOBUF) {
            ctx.result(body.toByteArray());
        } else {
            try {
                ctx.result(JSON.print(body).getBytes(StandardCharsets.UTF_8));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("OTLP responses have no Any fields", e);
            }
        }
        metrics.request(route, Integer.toString(status));
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
