package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.http.ApiTestSupport.json;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.core.record.CorrelationIds;
import org.junit.jupiter.api.Test;

/** Bearer token, rate limit, query timeout and store outage, each on a server of its own. */
class ApiProtectionTest {
    static final String TOKEN = "t0ken-with-enough-entropy";
    static final String LIST = "/api/correlations?limit=5";
    static final String GRAPH = "/api/graph?service=checkout";

    @Test
    void bearerTokenIsRequiredExceptOnHealthAndMetrics() {
        try (ApiTestSupport api = ApiTestSupport.start(Map.of("API_TOKEN", TOKEN), ApiTestSupport.memoryStore())) {
            HttpResponse<String> missing = api.get(LIST);
            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(json(missing).at("/error/code").asText()).isEqualTo("unauthenticated");
            assertThat(missing.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

            for (String wrong : List.of("Bearer nope", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
                    "Basic " + TOKEN, TOKEN, "Bearer")) {
                HttpResponse<String> r = api.get(LIST, "Authorization", wrong);
                assertThat(r.statusCode()).as(wrong).isEqualTo(401);
                assertThat(r.headers().firstValue("www-authenticate")).isPresent();
                assertThat(r.body()).doesNotContain(TOKEN);
            }
            assertThat(api.get(LIST, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
            assertThat(api.get(LIST, "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(200);
            assertThat(api.get("/", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
            assertThat(api.get("/api/correlations/" + CorrelationIds.forTrace("a".repeat(32))).statusCode()).isEqualTo(401);
            assertThat(api.get(GRAPH).statusCode()).isEqualTo(401);
            assertThat(api.get(GRAPH, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);

            for (String open : List.of("/health", "/health/live", "/health/ready", "/metrics")) {
                assertThat(api.get(open).statusCode()).as(open).isEqualTo(200);
            }
            // Unknown routes do not reveal themselves to the unauthenticated.
            assertThat(api.get("/nope").statusCode()).isEqualTo(401);
            assertThat(api.get("/nope", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void burstBeyondTheRateLimitGets429WithRetryAfter() {
        try (ApiTestSupport api = ApiTestSupport.start(Map.of("API_RATE_LIMIT_RPS", "2"), ApiTestSupport.memoryStore())) {
            List<HttpResponse<String>> limited = new ArrayList<>();
            int ok = 0;
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = api.get(LIST);
                if (r.statusCode() == 429) limited.add(r);
                else if (r.statusCode() == 200) ok++;
            }
            assertThat(ok).isGreaterThanOrEqualTo(2);
            assertThat(limited).isNotEmpty();
            HttpResponse<String> r = limited.get(0);
            assertThat(json(r).at("/error/code").asText()).isEqualTo("rate_limited");
            assertThat(r.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 2L));
            // Health and metrics are exempt.
            for (int i = 0; i < 10; i++) {
                assertThat(api.get("/health/live").statusCode()).isEqualTo(200);
                assertThat(api.get("/metrics").statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void hangingStoreTimesOutWith504WithinTheQueryTimeout() {
        try (ApiTestSupport api = ApiTestSupport.start(Map.of("API_QUERY_TIMEOUT_MS", "200"), ApiTestSupport.hangingStore())) {
            for (String url : List.of(LIST, "/api/correlations?trace_id=" + "a".repeat(32),
                    "/api/correlations/" + CorrelationIds.forTrace("a".repeat(32)), GRAPH)) {
                long start = System.nanoTime();
                HttpResponse<String> r = api.get(url);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.statusCode()).as(url).isEqualTo(504);
                assertThat(json(r).at("/error/code").asText()).isEqualTo("timeout");
                assertThat(ms).as("answered after %d ms", ms).isBetween(150L, 3_000L);
            }
            HttpResponse<String> ready = api.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(json(ready).at("/checks/store").asText()).isEqualTo("timeout");
            assertThat(api.get("/metrics").body()).containsPattern("(?m)^redis_errors_total [1-9]");
        }
    }

    @Test
    void failingStoreGives503AndDegradedHealth() {
        try (ApiTestSupport api = ApiTestSupport.start(Map.of(), ApiTestSupport.failingStore(CorrelationStore.Kind.REDIS))) {
            HttpResponse<String> r = api.get(LIST);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).at("/error/code").asText()).isEqualTo("unavailable");
            assertThat(json(r).at("/error/message").asText()).contains("unavailable").doesNotContain("test double");
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            HttpResponse<String> graph = api.get(GRAPH);
            assertThat(graph.statusCode()).isEqualTo(503);
            assertThat(json(graph).at("/error/code").asText()).isEqualTo("unavailable");

            HttpResponse<String> ready = api.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(json(ready).at("/checks/store").asText()).isEqualTo("unavailable");
            assertThat(json(ready).at("/error/code").asText()).isEqualTo("unavailable");

            HttpResponse<String> health = api.get("/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(json(health).get("status").asText()).isEqualTo("degraded");
            assertThat(json(health).at("/checks/store").asText()).isEqualTo("unavailable");

            assertThat(api.get("/health/live").statusCode()).isEqualTo(200);
            String metrics = api.get("/metrics").body();
            assertThat(metrics).containsPattern("(?m)^redis_errors_total [4-9]");
            assertThat(metrics).containsPattern("(?m)^correlation_state_backend 1");
        }
    }

    @Test
    void failingMemoryStoreDoesNotCountRedisErrors() {
        try (ApiTestSupport api = ApiTestSupport.start(Map.of(), ApiTestSupport.failingStore(CorrelationStore.Kind.MEMORY))) {
            assertThat(api.get(LIST).statusCode()).isEqualTo(503);
            assertThat(api.get("/metrics").body()).containsPattern("(?m)^redis_errors_total 0");
        }
    }
}
