package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.record.CorrelationIds;
import org.junit.jupiter.api.Test;

/** /metrics: the API metrics with bounded route labels, the in-memory store's, and the JVM metrics. */
class ApiMetricsHttpTest {
    @Test
    void metricsCarryRouteTemplatesNeverRawPaths() {
        try (ApiTestSupport api = ApiTestSupport.start(Map.of(), ApiTestSupport.memoryStore())) {
            String id = CorrelationIds.forTrace("b".repeat(32));
            api.get("/");
            api.get("/api/correlations/" + id);
            api.get("/api/correlations?limit=0");
            api.get("/api/correlations");
            api.get("/no/such/" + id);
            api.send("POST", "/health");

            HttpResponse<String> r = api.get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            String text = r.body();
            assertThat(text)
                    .contains("correlation_api_requests_total{route=\"/\",status=\"200\"} 1")
                    .contains("correlation_api_requests_total{route=\"/api/correlations/{correlation_id}\",status=\"404\"} 1")
                    .contains("correlation_api_requests_total{route=\"/api/correlations\",status=\"400\"} 1")
                    .contains("correlation_api_requests_total{route=\"/api/correlations\",status=\"200\"} 1")
                    .contains("correlation_api_requests_total{route=\"unmatched\",status=\"404\"} 1")
                    .contains("correlation_api_requests_total{route=\"/health\",status=\"405\"} 1")
                    .contains("# TYPE correlation_api_request_duration_seconds histogram")
                    .contains("correlation_api_request_duration_seconds_bucket{route=\"/api/correlations/{correlation_id}\",le=\"+Inf\"} 1")
                    .contains("correlation_api_request_duration_seconds_count{route=\"unmatched\"} 1")
                    .containsPattern("(?m)^correlation_state_backend 0(\\.0)?$")
                    .containsPattern("(?m)^redis_errors_total 0(\\.0)?$")
                    .containsPattern("(?m)^correlation_memory_store_records 0(\\.0)?$")
                    .containsPattern("(?m)^correlation_memory_store_bytes 0(\\.0)?$")
                    .containsPattern("(?m)^correlation_memory_store_evictions_total 0(\\.0)?$")
                    .contains("correlation_memory_store_max_bytes")
                    .contains("jvm_memory_used_bytes")
                    .doesNotContain(id);
            // The scrape itself is counted on the next one.
            assertThat(api.get("/metrics").body()).contains("correlation_api_requests_total{route=\"/metrics\",status=\"200\"} 1");
        }
    }

    @Test
    void theInMemoryStoresSizeBoundAndEvictionsAreScrapedFromTheStore() {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(Duration.ofHours(1), 2, 1L << 20,
                System::currentTimeMillis);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 5; i++) {
            store.put(ApiTestSupport.record(String.format("%032x", i + 1), now + i, "closed", false, "checkout"));
        }
        try (ApiTestSupport api = ApiTestSupport.start(Map.of(), store)) {
            String text = api.get("/metrics").body();
            assertThat(text)
                    .containsPattern("(?m)^correlation_memory_store_records 2(\\.0)?$")
                    .containsPattern("(?m)^correlation_memory_store_bytes " + store.bytes() + "(\\.0)?$")
                    .containsPattern("(?m)^correlation_memory_store_max_bytes (1048576(\\.0)?|1\\.048576E6)$")
                    .containsPattern("(?m)^correlation_memory_store_evictions_total 3(\\.0)?$");
            assertThat(store.bytes()).isPositive();
        }
    }
}
