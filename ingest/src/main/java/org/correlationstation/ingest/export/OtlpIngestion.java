package org.correlationstation.ingest.export;

import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.otlp.Ids;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.ingest.kafka.TelemetryWriter;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * What every receiver (OTLP/gRPC, OTLP/HTTP, the legacy batch) does with a request: decode and validate
 * it with {@link OtlpDecoder} (the same rules as the job, SPEC §2), then write it to Kafka.
 * <ul>
 *   <li>An undecodable body or an id of a wrong length makes the whole request invalid
 *       ({@link MalformedOtlpException}, thrown before anything is written).</li>
 *   <li>A span without a trace id or span id (empty or all-zero) cannot be correlated or stored by trace: it
 *       alone is rejected, reported as OTLP partial success.</li>
 *   <li>A log without a trace id is normal (SPEC §2) and accepted.</li>
 * </ul>
 */
public final class OtlpIngestion {
    private final OtlpDecoder decoder;
    private final TelemetryWriter writer;
    private final IngestMetrics metrics;

    public OtlpIngestion(OtlpDecoder decoder, TelemetryWriter writer, IngestMetrics metrics) {
        this.decoder = decoder;
        this.writer = writer;
        this.metrics = metrics;
    }

    /** The ingestion of {@code settings}: DEPLOYMENT_ENV and OTLP_MAX_BODY_BYTES configure the decoder. */
    public static OtlpIngestion create(Settings settings, TelemetryWriter writer, IngestMetrics metrics) {
        OtlpDecoder decoder = new OtlpDecoder(settings.get(Options.DEPLOYMENT_ENV),
                (int) Math.min(settings.get(Options.OTLP_MAX_BODY_BYTES), Integer.MAX_VALUE));
        return new OtlpIngestion(decoder, writer, metrics);
    }

    public CompletableFuture<ExportResult> traces(byte[] body, OtlpEncoding encoding) throws MalformedOtlpException {
        return traces(decoder.parseTraces(body, encoding));
    }

    public CompletableFuture<ExportResult> logs(byte[] body, OtlpEncoding encoding) throws MalformedOtlpException {
        return logs(decoder.parseLogs(body, encoding));
    }

    public CompletableFuture<ExportResult> traces(TracesData data) throws MalformedOtlpException {
        int[] rejected = {0};
        TracesData traced = withoutInvalidSpans(data, rejected);
        decoder.spans(traced); // validates every id of the spans that remain
        String message = rejected[0] == 0 ? ""
                : rejected[0] + " span(s) without a trace id or span id (empty or all zero) were rejected";
        return writer.writeTraces(traced).thenApply(stored -> {
            metrics.records(IngestMetrics.SPANS, stored);
            return new ExportResult(stored, rejected[0], message);
        });
    }

    public CompletableFuture<ExportResult> logs(LogsData data) throws MalformedOtlpException {
        decoder.logs(data, 0L); // validates every id
        return writer.writeLogs(data).thenApply(stored -> {
            metrics.records(IngestMetrics.LOGS, stored);
            return new ExportResult(stored, 0, "");
        });
    }

    private static TracesData withoutInvalidSpans(TracesData data, int[] rejected) throws MalformedOtlpException {
        boolean any = false;
        for (ResourceSpans rs : data.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) any |= !valid(span);
            }
        }
        if (!any) return data;
        TracesData.Builder out = TracesData.newBuilder();
        for (ResourceSpans rs : data.getResourceSpansList()) {
            ResourceSpans.Builder resource = rs.toBuilder().clearScopeSpans();
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                ScopeSpans.Builder scope = ss.toBuilder().clearSpans();
                for (Span span : ss.getSpansList()) {
                    if (!valid(span)) rejected[0]++;
                    else scope.addSpans(span);
                }
                if (scope.getSpansCount() > 0) resource.addScopeSpans(scope);
            }
            if (resource.getScopeSpansCount() > 0) out.addResourceSpans(resource);
        }
        return out.build();
    }

    /**
     * OTLP calls a span with an empty or all-zero trace or span id invalid: it can be neither correlated
     * nor deduplicated (every delivery would count again), and Tempo refuses it.
     */
    private static boolean valid(Span span) throws MalformedOtlpException {
        return Ids.traceId(span.getTraceId()) != null && Ids.spanId(span.getSpanId()) != null;
    }
}
