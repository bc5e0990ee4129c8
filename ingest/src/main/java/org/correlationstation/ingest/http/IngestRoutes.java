package org.correlationstation.ingest.http;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.http.HttpResponse;
import org.correlationstation.http.HttpService;
import org.correlationstation.http.PostHandler;
import org.correlationstation.ingest.auth.BearerToken;
import org.correlationstation.ingest.export.OtlpIngestion;
import org.correlationstation.ingest.kafka.TelemetryWriter;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * The HTTP routes of the ingest service (SPEC §1, §11). {@link #postEndpoints()} are the ingestion
 * routes alone (exact path → POST endpoint, free of any HTTP server); {@link #postHandlers()} are the
 * same for the shared HTTP server, which serves them on the ingest port and, in local mode, on the
 * query API's port too; {@link #service()} answers the ingest port's other requests (health, metrics,
 * 404, 405, transport errors).
 */
public final class IngestRoutes {
    public static final String TRACES = "/v1/traces";
    public static final String LOGS = "/v1/logs";
    public static final String LEGACY_TRACES = "/api/otlp/v1/traces";
    public static final String LEGACY_OTLP_LOGS = "/api/otlp/v1/logs";
    public static final String LEGACY_LOGS = "/api/logs";
    static final List<String> POST_PATHS = List.of(TRACES, LOGS, LEGACY_TRACES, LEGACY_OTLP_LOGS, LEGACY_LOGS);

    private final OtlpIngestion ingestion;
    private final TelemetryWriter writer;
    private final IngestMetrics metrics;
    private final ReceiverPolicy policy;
    private final String version;

    /**
     * @param settings INGEST_TOKEN, OTLP_MAX_BODY_BYTES, HTTP_BODY_READ_TIMEOUT_MS
     */
    public IngestRoutes(Settings settings, OtlpIngestion ingestion, TelemetryWriter writer, IngestMetrics metrics,
            String version) {
        this.ingestion = ingestion;
        this.writer = writer;
        this.metrics = metrics;
        this.version = version;
        this.policy = new ReceiverPolicy(BearerToken.of(settings.find(Options.INGEST_TOKEN).orElse(null)),
                settings.get(Options.OTLP_MAX_BODY_BYTES), settings.get(Options.HTTP_BODY_READ_TIMEOUT_MS));
    }

    /** The ingestion routes: exact path → endpoint for POST. */
    public Map<String, IngestEndpoint> postEndpoints() {
        Map<String, IngestEndpoint> routes = new LinkedHashMap<>();
        routes.put(TRACES, otlp(OtlpHttpHandler.Signal.TRACES, TRACES));
        routes.put(LOGS, otlp(OtlpHttpHandler.Signal.LOGS, LOGS));
        routes.put(LEGACY_TRACES, otlp(OtlpHttpHandler.Signal.TRACES, LEGACY_TRACES));
        routes.put(LEGACY_OTLP_LOGS, otlp(OtlpHttpHandler.Signal.LOGS, LEGACY_OTLP_LOGS));
        routes.put(LEGACY_LOGS, new LegacyLogsHandler(LEGACY_LOGS, ingestion, policy, metrics));
        return routes;
    }

    /**
     * The ingestion routes for the shared HTTP server (exact path → POST handler): the server hands
     * each its body, read up to OTLP_MAX_BODY_BYTES plus one byte (empty when the declared length alone
     * is over: the endpoint answers 413 from it).
     */
    public Map<String, PostHandler> postHandlers() {
        Map<String, PostHandler> handlers = new LinkedHashMap<>();
        postEndpoints().forEach((path, endpoint) -> handlers.put(path, request -> endpoint.handle(new IngestRequest(
                        request.header("Content-Type"), request.header("Content-Encoding"),
                        request.header("Authorization"), new ByteArrayInputStream(request.body()),
                        request.contentLength()))
                .thenApply(r -> new HttpResponse(r.status(), r.body(), r.contentType(), r.headers()))));
        return handlers;
    }

    /** The ingest port's other requests. */
    public HttpService service() {
        return new IngestHttp(writer, metrics, version, policy.bodyReadTimeoutMs());
    }

    private IngestEndpoint otlp(OtlpHttpHandler.Signal signal, String route) {
        return new OtlpHttpHandler(signal, route, ingestion, policy, metrics);
    }
}
