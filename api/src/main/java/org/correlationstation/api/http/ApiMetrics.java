package org.correlationstation.api.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.http.HttpResponse;

/**
 * The API's own metrics (SPEC §9), in a registry of its own (so that several servers can live in one
 * JVM, e.g. in tests or local mode), plus the JVM metrics:
 * <ul>
 *   <li>{@code correlation_api_requests_total{route,status}}: route is the route template
 *       ({@code /api/correlations/{correlation_id}}), {@code unmatched} for unknown paths;</li>
 *   <li>{@code correlation_api_request_duration_seconds{route}}: a classic histogram;</li>
 *   <li>{@code correlation_state_backend}: 0 memory, 1 redis;</li>
 *   <li>{@code redis_errors_total}: failed or timed-out calls to a Redis store;</li>
 *   <li>on the in-memory store only: {@code correlation_memory_store_records},
 *       {@code correlation_memory_store_bytes} and {@code correlation_memory_store_max_bytes} (its
 *       size and its bound, in estimated heap bytes) and {@code correlation_memory_store_evictions_total}
 *       (records evicted to stay within its bounds), read from the store at each scrape.</li>
 * </ul>
 */
public final class ApiMetrics {
    public static final String UNMATCHED = "unmatched";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Counter requests;
    private final Histogram duration;
    private final Counter redisErrors;

    public ApiMetrics(CorrelationStore store) {
        CorrelationStore.Kind backend = store.kind();
        requests = Counter.builder()
                .name("correlation_api_requests_total")
                .help("Query API requests by route template and HTTP status.")
                .labelNames("route", "status")
                .withoutExemplars()
                .register(registry);
        duration = Histogram.builder()
                .name("correlation_api_request_duration_seconds")
                .help("Query API request duration by route template.")
                .labelNames("route")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .withoutExemplars()
                .register(registry);
        GaugeWithCallback.builder()
                .name("correlation_state_backend")
                .help("The store the API reads: 0 memory, 1 redis.")
                .callback(cb -> cb.call(backend.gaugeValue))
                .register(registry);
        redisErrors = Counter.builder()
                .name("redis_errors_total")
                .help("Calls of the query API to Redis that failed or timed out.")
                .withoutExemplars()
                .register(registry);
        if (store instanceof InMemoryCorrelationStore memory) {
            GaugeWithCallback.builder()
                    .name("correlation_memory_store_records")
                    .help("Records in the in-memory store.")
                    .callback(cb -> cb.call(memory.size()))
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("correlation_memory_store_bytes")
                    .help("Estimated heap bytes of the records in the in-memory store.")
                    .callback(cb -> cb.call(memory.bytes()))
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("correlation_memory_store_max_bytes")
                    .help("The in-memory store's bound in estimated heap bytes (MEMORY_STORE_MAX_BYTES).")
                    .callback(cb -> cb.call(memory.maxBytes()))
                    .register(registry);
            CounterWithCallback.builder()
                    .name("correlation_memory_store_evictions_total")
                    .help("Records the in-memory store evicted, oldest write first, to stay within"
                            + " MEMORY_STORE_MAX_RECORDS and MEMORY_STORE_MAX_BYTES (expired ones not counted).")
                    .callback(cb -> cb.call(memory.evictions()))
                    .register(registry);
        }
        JvmMetrics.builder().register(registry);
    }

    public void observe(String route, int status, long durationNanos) {
        requests.labelValues(route, Integer.toString(status)).inc();
        duration.labelValues(route).observe(durationNanos / 1e9);
    }

    public void redisError() {
        redisErrors.inc();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The exposition in the format the {@code Accept} header asks for (Prometheus text by default). */
    public HttpResponse scrape(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HttpResponse(200, out.toByteArray(), writer.getContentType(), Map.of());
    }
}
