package org.correlationstation.ingest.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.Handler;
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
final class LegacyLogsHandler implements Handler {
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
    public void handle(Context ctx) throws Exception {
        LegacyLogBatch.Converted batch;
        CompletableFuture<ExportResult> stored;
        try {
            policy.authorize(ctx);
            String type = ctx.header("Content-Type");
            // The old service's clients did not always send a Content-Type; anything else than JSON is refused.
            if (type != null && OtlpContentType.of(type) != OtlpContentType.JSON) {
                throw HttpFailure.unsupportedMediaType("Content-Type must be application/json, not '" + type + "'");
            }
            batch = LegacyLogBatch.parse(policy.readBody(ctx), System.currentTimeMillis() * 1_000_000L);
            stored = ingestion.logs(batch.logs());
        } catch (HttpFailure f) {
            fail(ctx, f);
            return;
        } catch (LegacyLogBatch.InvalidBatchException e) {
            fail(ctx, HttpFailure.invalid(e.getMessage()));
            return;
        } catch (MalformedOtlpException e) {
            fail(ctx, HttpFailure.invalid(e.getMessage()));
            return;
        }
        ctx.future(() -> stored.handle((result, e) -> {
            if (e != null) {
                fail(ctx, ReceiverPolicy.failureOf(e));
            } else {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", "accepted");
                body.put("count", batch.count());
                body.put("service", batch.service());
                write(ctx, 202, body);
            }
            return null;
        }));
    }

    private void fail(Context ctx, HttpFailure f) {
        if (f.retryAfterSeconds() != null) ctx.header("Retry-After", Integer.toString(f.retryAfterSeconds()));
        write(ctx, f.status(), Map.of("error", Map.of("code", f.code(), "message", String.valueOf(f.getMessage()))));
    }

    private void write(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        metrics.request(route, Integer.toString(status));
    }
}
