package org.correlationstation.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.api.ApiServer;
import org.correlationstation.api.store.CorrelationQuery;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.api.store.Page;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.http.PostHandler;

/** Starts a real server on a free loopback port and talks HTTP to it (java.net.http). */
final class ApiTestSupport implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final ApiServer server;
    final CorrelationStore store;

    private ApiTestSupport(ApiServer server, CorrelationStore store) {
        this.server = server;
        this.store = store;
    }

    /** A server on PORT=0 with the given settings (environment names) over the store. */
    static ApiTestSupport start(Map<String, String> env, CorrelationStore store) {
        return start(env, store, Map.of(), 0);
    }

    /** As {@link #start(Map, CorrelationStore)}, also serving extra POST routes. */
    static ApiTestSupport start(Map<String, String> env, CorrelationStore store,
            Map<String, PostHandler> extraPostRoutes, long maxPostBodyBytes) {
        Map<String, String> all = new HashMap<>(env);
        all.put("PORT", "0");
        all.putIfAbsent("API_QUERY_TIMEOUT_MS", "2000"); // loopback tests on a busy 2-core box
        return new ApiTestSupport(ApiServer.start(Settings.from(all, new String[0]), store, extraPostRoutes,
                maxPostBodyBytes), store);
    }

    static InMemoryCorrelationStore memoryStore() {
        return new InMemoryCorrelationStore(Duration.ofHours(1), 10_000);
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) {
        return send("GET", pathAndQuery, headers);
    }

    HttpResponse<String> send(String method, String pathAndQuery, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + r.statusCode() + "): " + r.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }

    /** A complete record as the job would write it. */
    static CorrelationRecord record(String traceId, long firstSeenMillis, String status, boolean hasError,
            String... services) {
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = CorrelationIds.forTrace(traceId);
        r.traceId = traceId;
        r.status = status;
        r.version = 1;
        r.firstSeen = RecordCodec.formatTime(firstSeenMillis);
        r.lastSeen = RecordCodec.formatTime(firstSeenMillis + 840);
        r.durationMs = 840;
        r.root = new CorrelationRecord.Root(services[0], "GET /checkout", "00f067aa0ba902b7");
        r.services = new java.util.ArrayList<>(List.of(services));
        java.util.Collections.sort(r.services);
        r.service = services[0];
        r.env = "prod";
        r.spanCount = 3;
        r.logCount = 5;
        r.errorSpanCount = hasError ? 1 : 0;
        r.hasError = hasError;
        r.maxSeverity = hasError ? "ERROR" : "INFO";
        if (services.length > 1) r.edges.add(new CorrelationRecord.Edge(services[0], services[1], 2, 0));
        r.links.add(new CorrelationRecord.Link("00f067aa0ba902b7", "charge", services[0], 3, 1));
        r.updatedAt = RecordCodec.formatTime(firstSeenMillis + 1000);
        return r;
    }

    /** A store whose every future fails (failure injection: a store that is down). */
    static CorrelationStore failingStore(CorrelationStore.Kind kind) {
        return new StubStore(kind) {
            @Override
            <T> CompletableFuture<T> answer() {
                return CompletableFuture.failedFuture(new IllegalStateException("connection refused (test double)"));
            }
        };
    }

    /** A store whose futures never complete (failure injection: a store that hangs). */
    static CorrelationStore hangingStore() {
        return new StubStore(CorrelationStore.Kind.REDIS) {
            @Override
            <T> CompletableFuture<T> answer() {
                return new CompletableFuture<>();
            }
        };
    }

    private abstract static class StubStore implements CorrelationStore {
        private final Kind kind;

        StubStore(Kind kind) {
            this.kind = kind;
        }

        abstract <T> CompletableFuture<T> answer();

        @Override
        public CompletableFuture<Optional<CorrelationRecord>> byTraceId(String traceId) {
            return answer();
        }

        @Override
        public CompletableFuture<Optional<CorrelationRecord>> byCorrelationId(String correlationId) {
            return answer();
        }

        @Override
        public CompletableFuture<Page> query(CorrelationQuery query) {
            return answer();
        }

        @Override
        public CompletableFuture<ServiceGraph> graph(long sinceMillis, long untilMillis, String service) {
            return answer();
        }

        @Override
        public CompletableFuture<Void> ping() {
            return answer();
        }

        @Override
        public Kind kind() {
            return kind;
        }

        @Override
        public void close() {}
    }
}
