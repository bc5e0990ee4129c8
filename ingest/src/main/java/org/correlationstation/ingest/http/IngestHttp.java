package org.correlationstation.ingest.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.http.HttpResponse;
import org.correlationstation.http.HttpService;
import org.correlationstation.http.RequestHead;
import org.correlationstation.http.TransportErrors;
import org.correlationstation.ingest.kafka.TelemetryWriter;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * The ingest port's requests other than the ingestion POSTs ({@link IngestRoutes#postHandlers()}, which
 * the server serves with their bodies): {@code /}, {@code /health/live}, {@code /health/ready} and
 * {@code /metrics} (GET and HEAD), and the same answers as the query API's port for everything else:
 * 404 for an unknown path, 405 with {@code Allow} for a known path under another method, and SPEC §6's
 * error body for what the server refuses before a route (400, 408, 413, 414, 431, 500).
 */
final class IngestHttp implements HttpService {
    /** The service routes, each answering GET and HEAD. */
    static final List<String> GET_ROUTES = List.of("/", "/health/live", "/health/ready", "/metrics");
    /** How long readiness waits for a broker's answer. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(2);
    private static final TransportErrors TRANSPORT_ERRORS =
            new TransportErrors("the request line is too long", "internal error; see the ingest log");

    private final TelemetryWriter writer;
    private final IngestMetrics metrics;
    private final String version;
    private final long bodyReadTimeoutMs;

    IngestHttp(TelemetryWriter writer, IngestMetrics metrics, String version, long bodyReadTimeoutMs) {
        this.writer = writer;
        this.metrics = metrics;
        this.version = version;
        this.bodyReadTimeoutMs = bodyReadTimeoutMs;
    }

    @Override
    public CompletableFuture<HttpResponse> handle(RequestHead request) {
        String path = request.rawPath();
        if (!GET_ROUTES.contains(path)) {
            return done(HttpResponse.error(404, "not_found", "no such route: the ingest service serves POST "
                    + String.join(", ", IngestRoutes.POST_PATHS) + " and GET " + String.join(", ", GET_ROUTES)));
        }
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD")) return done(methodNotAllowed(method, "GET, HEAD"));
        return switch (path) {
            case "/" -> done(HttpResponse.jsonOf(200, info()));
            case "/health/live" -> done(HttpResponse.jsonOf(200, Map.of("status", "alive")));
            case "/health/ready" -> writer.checkReady(READY_TIMEOUT).handle((v, e) -> e == null
                    ? HttpResponse.jsonOf(200, Map.of("status", "ready", "checks", Map.of("kafka", "ok")))
                    : HttpResponse.jsonOf(503, Map.of("status", "not_ready",
                            "checks", Map.of("kafka", "unreachable: " + rootMessage(e)))));
            default -> {
                IngestMetrics.Scrape scrape = metrics.scrape(request.accept());
                yield done(new HttpResponse(200, scrape.body(), scrape.contentType(), Map.of()));
            }
        };
    }

    /** The same fields, in the same order, as the query API's {@code GET /}. */
    private Map<String, Object> info() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "correlation-station-ingest");
        body.put("status", "running");
        body.put("version", version);
        return body;
    }

    @Override
    public HttpResponse postOnly(RequestHead request) {
        return methodNotAllowed(request.method(), "POST");
    }

    @Override
    public HttpResponse transportError(int status) {
        return TRANSPORT_ERRORS.response(status);
    }

    @Override
    public HttpResponse bodyTimeout() {
        HttpFailure f = HttpFailure.requestTimeout(bodyReadTimeoutMs);
        return HttpResponse.error(f.status(), f.code(), f.getMessage() + "; the connection is closed");
    }

    @Override
    public long bodyReadTimeoutMs() {
        return bodyReadTimeoutMs;
    }

    /** A wrong method, as the query API's port answers it (the method is shown only when it looks like one). */
    private static HttpResponse methodNotAllowed(String method, String allow) {
        String shown = method.matches("[A-Z]{1,16}") ? method : "(not shown)";
        return HttpResponse.error(405, "method_not_allowed", "method " + shown + " is not allowed here; allowed: "
                + allow).withHeader("Allow", allow);
    }

    private static CompletableFuture<HttpResponse> done(HttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
