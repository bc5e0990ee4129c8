package org.correlationstation.ingest.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.ingest.export.ExportResult;
import org.correlationstation.ingest.export.OtlpIngestion;
import org.correlationstation.ingest.legacy.LegacyLogBatch;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * The old service's {@code POST /api/logs} (SPEC §1): a JSON batch, converted to OTLP and stored like
 * OTLP logs; {@code 202 {"status":"accepted","count":N,"service":S}} only once Kafka stored it all.
 * Errors are the SPEC §6 body {@code {"error":{"code":…,"message":…}}}.
 */
final class LegacyLogsHandler implements IngestEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String route;
    private final OtlpIngestion ingestion;
    private final ReceiverPolicy policy;
    private final IngestMetrics metrics;

    LegacyLogsHandler(String route, OtlpIngestion ingestion, ReceiverPolicy policy, IngestMetrics metrics) {
        this.route = route;
        this.ingestion = ingestion;
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<IngestResponse> handle(IngestRequest request) {
        LegacyLogBatch.Converted batch;
        CompletableFuture<ExportResult> stored;
        try {
            policy.authorize(request.authorization());
            String type = request.contentType();
            // The old service's clients did not always send a Content-Type; anything else than JSON is refused.
            if (type != null && OtlpContentType.of(type) != OtlpContentType.JSON) {
                throw HttpFailure.unsupportedMediaType("Content-Type must be application/json; "
                        + HttpFailure.describeContentType(type));
            }
            batch = LegacyLogBatch.parse(policy.readBody(request), System.currentTimeMillis() * 1_000_000L);
            stored = ingestion.logs(batch.logs());
        } catch (HttpFailure f) {
            return CompletableFuture.completedFuture(fail(f));
        } catch (LegacyLogBatch.InvalidBatchException e) {
            return CompletableFuture.completedFuture(fail(HttpFailure.invalid(e.getMessage())));
        } catch (MalformedOtlpException e) {
            return CompletableFuture.completedFuture(fail(HttpFailure.invalid(e.getMessage())));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return stored.handle((result, e) -> {
            if (e != null) return fail(ReceiverPolicy.failureOf(e));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "accepted");
            body.put("count", batch.count());
            body.put("service", batch.service());
            return write(202, body, Map.of());
        });
    }

    private IngestResponse fail(HttpFailure f) {
        Map<String, String> headers = f.retryAfterSeconds() == null ? Map.of()
                : Map.of("Retry-After", Integer.toString(f.retryAfterSeconds()));
        return write(f.status(), Map.of("error", Map.of("code", f.code(), "message", f.getMessage())),
                headers);
    }

    private IngestResponse write(int status, Object body, Map<String, String> headers) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        metrics.request(route, Integer.toString(status));
        return new IngestResponse(status, "application/json", bytes, headers);
    }
}
