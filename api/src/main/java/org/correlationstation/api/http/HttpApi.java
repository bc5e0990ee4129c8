package org.correlationstation.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.correlationstation.api.store.CorrelationQuery;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.Cursor;
import org.correlationstation.api.store.Page;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.http.HttpResponse;
import org.correlationstation.http.HttpService;
import org.correlationstation.http.RequestHead;
import org.correlationstation.http.TransportErrors;
import org.correlationstation.http.VertxHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API of SPEC §6, independent of the HTTP server: the route table, the handlers, and
 * {@link #handle(RequestHead)}, which every request goes through (the HTTP server is {@link VertxHttpServer}):
 * <ol>
 *   <li>trace context ({@code traceparent} continued or started; echoed on every response);</li>
 *   <li>size limits: request target ≤ {@value #MAX_URL_BYTES} bytes (else 414), request body ≤
 *       {@value #MAX_BODY_BYTES} bytes (else 413; the API reads no bodies);</li>
 *   <li>route lookup; routes other than health and metrics then need the bearer token
 *       ({@code API_TOKEN}, 401) and a rate-limit token ({@code API_RATE_LIMIT_RPS}, 429);</li>
 *   <li>unknown path 404, known path with another method 405;</li>
 *   <li>query parameters: unknown or repeated → 400; then each value is validated;</li>
 *   <li>the store call, bounded by {@code API_QUERY_TIMEOUT_MS} (504); a failing store → 503.</li>
 * </ol>
 * Every response is counted in the request metrics under its route template.
 */
public final class HttpApi implements HttpService, AutoCloseable {
    public static final int MAX_URL_BYTES = 8 * 1024;
    public static final int MAX_BODY_BYTES = 1024;
    /** Health checks wait at least this long for the store's ping, whatever the query timeout. */
    static final long MIN_HEALTH_TIMEOUT_MS = 1_000;
    /**
     * The graph sums every bucket of its range (an hour of minute buckets with 300 elements: ~0.1 s of
     * CPU), more than a lookup's default 50 ms allow.
     */
    static final long MIN_GRAPH_TIMEOUT_MS = 1_000;

    public static final String TRACE_ID = "trace_id";
    /** The listing's parameters, aliases included, in documentation order. */
    public static final List<String> LISTING_PARAMETERS = List.of("service", "since", "until", "start_time", "end_time",
            "status", "has_error", "limit", "cursor");

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final Logger accessLog = LoggerFactory.getLogger("org.correlationstation.api.access");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TransportErrors TRANSPORT_ERRORS = new TransportErrors(
            "the request URL is too long (at most " + MAX_URL_BYTES + " bytes)", "internal error; see the API's log");

    private final CorrelationStore store;
    private final ApiMetrics metrics;
    private final Router router;
    private final String version;
    private final byte[] tokenDigest;
    private final RateLimiter rateLimiter;
    private final long queryTimeoutMs;
    private final long bodyReadTimeoutMs;
    private final long graphTimeoutMs;
    private final long healthTimeoutMs;
    private final boolean logAccess;
    private final QueryDeadlines deadlines = new QueryDeadlines();
    private final GraphRoute graphRoute;

    public HttpApi(Settings settings, CorrelationStore store, String version) {
        this.store = store;
        this.version = version;
        this.metrics = new ApiMetrics(store);
        this.tokenDigest = settings.find(Options.API_TOKEN).map(HttpApi::sha256).orElse(null);
        int rps = settings.get(Options.API_RATE_LIMIT_RPS);
        this.rateLimiter = rps > 0 ? new RateLimiter(rps) : null;
        this.queryTimeoutMs = settings.get(Options.API_QUERY_TIMEOUT_MS);
        this.bodyReadTimeoutMs = settings.get(Options.HTTP_BODY_READ_TIMEOUT_MS);
        this.healthTimeoutMs = Math.max(queryTimeoutMs, MIN_HEALTH_TIMEOUT_MS);
        this.graphTimeoutMs = Math.max(queryTimeoutMs, MIN_GRAPH_TIMEOUT_MS);
        String level = settings.get(Options.LOG_LEVEL);
        this.logAccess = level.equals("debug") || level.equals("trace");
        this.graphRoute = new GraphRoute(settings.get(Options.GRAPH_BUCKET_SECONDS), System::currentTimeMillis);

        List<String> correlationParameters = new ArrayList<>(LISTING_PARAMETERS);
        correlationParameters.add(0, TRACE_ID);
        this.router = new Router(List.of(
                new Route("GET", "/", Set.of(), false, r -> done(json(200, info()))),
                new Route("GET", "/health", Set.of(), true, this::health),
                new Route("GET", "/health/live", Set.of(), true, r -> done(json(200, Map.of("status", "alive")))),
                new Route("GET", "/health/ready", Set.of(), true, this::ready),
                new Route("GET", "/metrics", Set.of(), true, r -> done(metrics.scrape(r.accept()))),
                new Route("GET", "/api/correlations", Set.copyOf(correlationParameters), false, this::correlations),
                new Route("GET", "/api/correlations/{correlation_id}", Set.of(), false, this::byCorrelationId),
                new Route("GET", "/api/graph", Set.copyOf(GraphRoute.PARAMETERS), false, this::graph)));
    }

    public Router router() {
        return router;
    }

    public ApiMetrics metrics() {
        return metrics;
    }

    /** Stops the timer of the query timeouts (the store is not the API's to close). */
    @Override
    public void close() {
        deadlines.close();
    }

    // ---------------------------------------------------------------- handlers

    private Map<String, Object> info() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "correlation-station");
        body.put("status", "running");
        body.put("version", version);
        return body;
    }

    private CompletableFuture<HttpResponse> correlations(Route.Request r) {
        QueryParams q = r.query();
        if (q.has(TRACE_ID)) {
            if (q.size() > 1) {
                List<String> others = new ArrayList<>(q.names());
                others.remove(TRACE_ID);
                throw ApiError.invalidArgument("trace_id cannot be combined with other parameters (also given: "
                        + String.join(", ", others) + ")");
            }
            String traceId = Params.traceId(q.get(TRACE_ID));
            return bounded(() -> store.recordJsonByTraceId(traceId), queryTimeoutMs)
                    .thenApply(found -> record(found, "no correlation record for this trace_id"));
        }
        String service = Params.service(q.get("service"));
        Long since = Params.time(aliased(q, "since", "start_time"), q.get(aliased(q, "since", "start_time")));
        Long until = Params.time(aliased(q, "until", "end_time"), q.get(aliased(q, "until", "end_time")));
        if (since != null && until != null && since > until) {
            throw ApiError.invalidArgument(aliased(q, "since", "start_time") + " must not be after "
                    + aliased(q, "until", "end_time"));
        }
        String status = Params.status(q.get("status"));
        Boolean hasError = Params.hasError(q.get("has_error"));
        int limit = Params.limit(q.get("limit"));
        Cursor cursor = Params.cursor(q.get("cursor"));
        CorrelationQuery query = new CorrelationQuery(service, since, until, status, hasError, limit, cursor);
        return bounded(() -> store.query(query), queryTimeoutMs).thenApply(HttpApi::page);
    }

    /** The name under which a parameter with an alias was given (the primary name when neither). */
    static String aliased(QueryParams q, String primary, String alias) {
        if (q.has(primary) && q.has(alias)) {
            throw ApiError.invalidArgument(alias + " is an alias of " + primary + "; give only one of them");
        }
        return q.has(alias) ? alias : primary;
    }

    private CompletableFuture<HttpResponse> byCorrelationId(Route.Request r) {
        String id = Params.correlationId(r.pathParameters().get(0));
        return bounded(() -> store.recordJsonByCorrelationId(id), queryTimeoutMs)
                .thenApply(found -> record(found, "no correlation record with this correlation_id"));
    }

    /** The service graph of a time range ({@link GraphRoute}), bounded by the query timeout as every store call. */
    private CompletableFuture<HttpResponse> graph(Route.Request r) {
        GraphRoute.Query q = graphRoute.parse(r.query());
        return bounded(() -> store.graph(q.sinceMillis(), q.untilMillis(), q.service()), graphTimeoutMs)
                .thenApply(g -> GraphRoute.render(q, g));
    }

    /** The record's JSON as the store holds it (SPEC §4), not decoded and encoded again. */
    private static HttpResponse record(Optional<byte[]> json, String notFound) {
        return new HttpResponse(200, json.orElseThrow(() -> ApiError.notFound(notFound)), HttpResponse.JSON, Map.of());
    }

    private static HttpResponse page(Page page) {
        StringBuilder out = new StringBuilder(256 * (page.items().size() + 1)).append("{\"items\":[");
        for (int i = 0; i < page.items().size(); i++) {
            if (i > 0) out.append(',');
            out.append(RecordCodec.toJson(page.items().get(i)));
        }
        out.append("],\"next_cursor\":");
        out.append(page.next() == null ? "null" : '"' + page.next().encode() + '"');
        return HttpResponse.json(200, out.append('}').toString());
    }

    private CompletableFuture<HttpResponse> health(Route.Request r) {
        return storeCheck().thenApply(check -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", check.equals("ok") ? "healthy" : "degraded");
            body.put("version", version);
            body.put("checks", Map.of("store", check));
            return json(200, body);
        });
    }

    private CompletableFuture<HttpResponse> ready(Route.Request r) {
        return storeCheck().thenApply(check -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", check.equals("ok") ? "ready" : "not_ready");
            body.put("checks", Map.of("store", check));
            if (check.equals("ok")) return json(200, body);
            body.put("error", errorBody("unavailable", "the correlation store (" + storeKind() + ") is "
                    + (check.equals("timeout") ? "not answering in time" : "unreachable")));
            return json(503, body);
        });
    }

    /** {@code ok}, {@code timeout} or {@code unavailable}: never the exception text (it may hold hosts). */
    private CompletableFuture<String> storeCheck() {
        return bounded(store::ping, healthTimeoutMs).handle((ok, e) -> {
            if (e == null) return "ok";
            ApiError error = unwrap(e) instanceof ApiError a ? a : null;
            return error != null && error.status() == 504 ? "timeout" : "unavailable";
        });
    }

    // ---------------------------------------------------------------- store calls

    /**
     * Calls the store, bounded by a timeout; maps a timeout to 504 {@code timeout} and a failure to 503
     * {@code unavailable} (counted in {@code redis_errors_total} when the store is Redis). The store's
     * own future is never completed by the API (the timeout applies to a copy).
     */
    private <T> CompletableFuture<T> bounded(Supplier<CompletableFuture<T>> call, long timeoutMs) {
        CompletableFuture<T> future;
        try {
            future = call.get();
            if (future == null) future = CompletableFuture.failedFuture(new IllegalStateException("no future"));
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        return deadlines.bound(future, timeoutMs).handle((value, e) -> {
            if (e == null) return value;
            Throwable cause = unwrap(e);
            if (store.kind() == CorrelationStore.Kind.REDIS) metrics.redisError();
            if (cause instanceof TimeoutException) {
                throw new ApiError(504, "timeout", "the correlation store (" + storeKind() + ") did not answer within "
                        + timeoutMs + " ms");
            }
            log.warn("correlation store ({}) call failed: {}", storeKind(), cause.toString());
            throw new ApiError(503, "unavailable", "the correlation store (" + storeKind()
                    + ") is unavailable; try again later", Map.of("Retry-After", "1"));
        });
    }

    private String storeKind() {
        return store.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    // ---------------------------------------------------------------- dispatch

    /**
     * Answers one request, whatever server parsed it: every method, every path. The future completes
     * on the store's thread (or at once) with the full response, {@code traceparent} and
     * {@code Cache-Control: no-store} included; the request is counted in the metrics by then.
     */
    @Override
    public CompletableFuture<HttpResponse> handle(RequestHead req) {
        long start = System.nanoTime();
        TraceContext trace = TraceContext.continueOrStart(req.traceparent());
        String method = req.method();
        String label = ApiMetrics.UNMATCHED;
        try {
            String rawPath = req.rawPath();
            String rawQuery = req.rawQuery();
            long targetBytes = rawPath.length() + (rawQuery == null ? 0 : rawQuery.length() + 1);
            if (targetBytes > MAX_URL_BYTES) {
                throw new ApiError(414, "uri_too_long", "the request URL is longer than " + MAX_URL_BYTES + " bytes");
            }
            if (req.contentLength() > MAX_BODY_BYTES || (req.contentLength() < 0 && req.chunked())) {
                throw new ApiError(413, "payload_too_large", "request bodies are not accepted (at most "
                        + MAX_BODY_BYTES + " bytes, and they are ignored)");
            }
            Router.Match match = router.match(method, rawPath);
            if (match.pathMatched()) label = match.template();
            boolean open = match.pathMatched() && isOpen(match.template());
            if (!open) {
                authenticate(req.authorization());
                rateLimit();
            }
            if (!match.pathMatched()) throw ApiError.notFound("no such route: see GET / and docs/api.md");
            if (!match.found()) throw methodNotAllowed(method, match.allowedMethods());
            Route route = match.route();
            QueryParams query = QueryParams.parse(rawQuery, route.queryParameters());
            CompletableFuture<HttpResponse> response = route.handler().handle(
                    new Route.Request(match.pathParameters(), query, trace, req.accept()));
            String routeLabel = label;
            return response.handle((r, e) -> finish(e == null ? r : errorResponse(e), method, routeLabel, trace, start));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(finish(errorResponse(e), method, label, trace, start));
        }
    }

    /**
     * The answer to a request with another method than POST to a path only an extra POST route serves
     * (the ingestion routes of local mode): 405 with {@code Allow: POST}, as the ingest service's own
     * port answers it. Neither token nor rate limit applies: the route is not the API's. Counted under
     * the path, one of the few fixed paths of those routes.
     */
    @Override
    public HttpResponse postOnly(RequestHead req) {
        long start = System.nanoTime();
        TraceContext trace = TraceContext.continueOrStart(req.traceparent());
        return finish(errorResponse(methodNotAllowed(req.method(), Set.of("POST"))), req.method(), req.rawPath(),
                trace, start);
    }

    private static ApiError methodNotAllowed(String method, Set<String> allowed) {
        String shown = method.matches("[A-Z]{1,16}") ? method : "(not shown)";
        return new ApiError(405, "method_not_allowed", "method " + shown + " is not allowed here; allowed: "
                + String.join(", ", allowed), Map.of("Allow", String.join(", ", allowed)));
    }

    /**
     * The answer to a request the server refused before it could be routed (see {@link TransportErrors}:
     * 400, 413, 414, 431), counted under {@code unmatched}; a new trace, since its headers were not read.
     */
    @Override
    public HttpResponse transportError(int status) {
        return finish(TRANSPORT_ERRORS.response(status), "?", ApiMetrics.UNMATCHED,
                TraceContext.continueOrStart(null), System.nanoTime());
    }

    /** {@code HTTP_BODY_READ_TIMEOUT_MS}: how long the server waits for the rest of a declared body. */
    @Override
    public long bodyReadTimeoutMs() {
        return bodyReadTimeoutMs;
    }

    /** The 408 for a body that did not arrive within {@link #bodyReadTimeoutMs()}, counted under {@code unmatched}. */
    @Override
    public HttpResponse bodyTimeout() {
        HttpResponse r = json(408, Map.of("error", errorBody("request_timeout", "the request body did not arrive"
                + " within " + bodyReadTimeoutMs + " ms (HTTP_BODY_READ_TIMEOUT_MS): it is shorter than its"
                + " Content-Length says, or stalled; the connection is closed")));
        return finish(r, "?", ApiMetrics.UNMATCHED, TraceContext.continueOrStart(null), System.nanoTime());
    }

    private boolean isOpen(String template) {
        for (Route route : router.routes()) {
            if (route.template().equals(template)) return route.open();
        }
        return false;
    }

    private void authenticate(String authorization) {
        if (tokenDigest == null) return;
        Map<String, String> challenge = Map.of("WWW-Authenticate", "Bearer realm=\"correlation-station\"");
        if (authorization == null || authorization.isBlank()) {
            throw new ApiError(401, "unauthenticated", "a bearer token is required: Authorization: Bearer <API_TOKEN>",
                    challenge);
        }
        String presented = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : "";
        // Digests of equal length, compared in constant time: neither the token nor its length leaks.
        if (!MessageDigest.isEqual(sha256(presented), tokenDigest)) {
            throw new ApiError(401, "unauthenticated", "the bearer token is not valid",
                    Map.of("WWW-Authenticate", "Bearer realm=\"correlation-station\", error=\"invalid_token\""));
        }
    }

    private void rateLimit() {
        if (rateLimiter == null) return;
        long retryAfter = rateLimiter.tryAcquire();
        if (retryAfter > 0) {
            throw new ApiError(429, "rate_limited", "too many requests to this API replica (API_RATE_LIMIT_RPS);"
                    + " retry after " + retryAfter + " s", Map.of("Retry-After", Long.toString(retryAfter)));
        }
    }

    private HttpResponse errorResponse(Throwable e) {
        Throwable cause = unwrap(e);
        ApiError error;
        if (cause instanceof ApiError a) {
            error = a;
        } else {
            log.error("internal error while answering a request", cause);
            error = new ApiError(500, "internal", "internal error; see the API's log");
        }
        HttpResponse r = json(error.status(), Map.of("error", errorBody(error.code(), error.getMessage())));
        for (Map.Entry<String, String> h : error.headers().entrySet()) r = r.withHeader(h.getKey(), h.getValue());
        return r;
    }

    private HttpResponse finish(HttpResponse r, String method, String route, TraceContext trace, long start) {
        Map<String, String> headers = new LinkedHashMap<>(r.headers().size() + 4);
        headers.putAll(r.headers());
        headers.put("traceparent", trace.traceparent());
        headers.put("Cache-Control", "no-store");
        long nanos = System.nanoTime() - start;
        metrics.observe(route, r.status(), nanos);
        if (logAccess) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("method", method.matches("[A-Z]{1,16}") ? method : "?");
            line.put("route", route);
            line.put("status", r.status());
            line.put("duration_ms", Math.round(nanos / 1e4) / 100.0);
            line.put("trace_id", trace.traceId());
            line.put("span_id", trace.spanId());
            accessLog.info(toJson(line));
        }
        return new HttpResponse(r.status(), r.body(), r.contentType(), headers);
    }

    // ---------------------------------------------------------------- helpers

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static Map<String, String> errorBody(String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        return body;
    }

    static HttpResponse json(int status, Object body) {
        return HttpResponse.jsonOf(status, body);
    }

    static String toJson(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<HttpResponse> done(HttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
