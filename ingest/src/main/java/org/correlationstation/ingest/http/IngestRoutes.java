package org.correlationstation.ingest.http;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.ingest.auth.BearerToken;
import org.correlationstation.ingest.export.OtlpIngestion;
import org.correlationstation.ingest.kafka.TelemetryWriter;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * The HTTP routes of the ingest service (SPEC §1, §11). {@link #postEndpoints()} are the ingestion
 * routes alone (exact path → POST endpoint, free of any HTTP server), which local mode also serves on
 * the query API's port; {@link #mount} adds them and the service routes ({@code /health/live},
 * {@code /health/ready}, {@code /metrics}, {@code /}) to a Javalin app.
 */
public final class IngestRoutes {
    public static final String TRACES = "/v1/traces";
    public static final String LOGS = "/v1/logs";
    public static final String LEGACY_TRACES = "/api/otlp/v1/traces";
    public static final String LEGACY_OTLP_LOGS = "/api/otlp/v1/logs";
    public static final String LEGACY_LOGS = "/api/logs";
    /** How long readiness waits for a broker's answer. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

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

    /** Adds the ingestion routes and the service routes to {@code app}. */
    public void mount(Javalin app) {
        postEndpoints().forEach((path, endpoint) -> {
            app.addHttpHandler(HandlerType.POST, path, new JavalinEndpoint(endpoint, policy.bodyReadTimeoutMs()));
            MethodNotAllowed.addFor(app, path, HandlerType.POST);
        });
        for (String path : List.of("/", "/health/live", "/health/ready", "/metrics")) {
            MethodNotAllowed.addFor(app, path, HandlerType.GET);
        }
        app.get("/", ctx -> ctx.json(Map.of("service", "correlation-station-ingest", "status", "running",
                "version", version)));
        app.get("/health/live", ctx -> ctx.json(Map.of("status", "alive")));
        app.get("/health/ready", ctx -> ctx.future(() -> writer.checkReady(READY_TIMEOUT).handle((v, e) -> {
            if (e == null) {
                ctx.json(Map.of("status", "ready", "checks", Map.of("kafka", "ok")));
            } else {
                ctx.status(503).json(Map.of("status", "not_ready",
                        "checks", Map.of("kafka", "unreachable: " + rootMessage(e))));
            }
            return null;
        })));
        app.get("/metrics", ctx -> {
            IngestMetrics.Scrape scrape = metrics.scrape(ctx.header("Accept"));
            ctx.contentType(scrape.contentType()).result(scrape.body());
        });
    }

    private IngestEndpoint otlp(OtlpHttpHandler.Signal signal, String route) {
        return new OtlpHttpHandler(signal, route, ingestion, policy, metrics);
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
