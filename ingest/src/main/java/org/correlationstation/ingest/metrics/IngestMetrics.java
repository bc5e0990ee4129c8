package org.correlationstation.ingest.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The ingest service's metrics (SPEC §9), in a registry of its own (several servers can live in one
 * JVM: tests, local mode), plus the JVM metrics:
 * <ul>
 *   <li>{@code ingest_requests_total{route,status}}: route is the HTTP path ({@code /v1/traces},
 *       {@code /api/logs}, …) or the gRPC method ({@code TraceService/Export}); status the HTTP status
 *       or the gRPC status code name ({@code OK}, {@code INVALID_ARGUMENT}, …);</li>
 *   <li>{@code ingest_records_total{signal}}: spans and log records acknowledged by Kafka, signal
 *       {@code spans} or {@code logs};</li>
 *   <li>{@code ingest_grpc_refused_messages_total{code}}: gRPC messages the transport refused before
 *       the service saw them (see {@code GrpcTransportLog}).</li>
 * </ul>
 */
public final class IngestMetrics {
    public static final String SPANS = "spans";
    public static final String LOGS = "logs";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Counter requests;
    private final Counter records;
    private final Counter grpcRefused;

    public IngestMetrics() {
        requests = Counter.builder()
                .name("ingest_requests_total")
                .help("Ingest requests by route and status (HTTP status or gRPC status code).")
                .labelNames("route", "status")
                .withoutExemplars()
                .register(registry);
        records = Counter.builder()
                .name("ingest_records_total")
                .help("Spans and log records stored in Kafka, by signal.")
                .labelNames("signal")
                .withoutExemplars()
                .register(registry);
        grpcRefused = Counter.builder()
                .name("ingest_grpc_refused_messages_total")
                .help("gRPC messages refused before they reached the service (over the size limit on the"
                        + " wire, malformed frames), by gRPC status code.")
                .labelNames("code")
                .withoutExemplars()
                .register(registry);
        // Both signals show from the start, so a rate() over them never lacks a series.
        records.labelValues(SPANS);
        records.labelValues(LOGS);
        JvmMetrics.builder().register(registry);
    }

    public void request(String route, String status) {
        requests.labelValues(route, status).inc();
    }

    public void records(String signal, int count) {
        if (count > 0) records.labelValues(signal).inc(count);
    }

    public void grpcRefusedMessage(String code) {
        grpcRefused.labelValues(code).inc();
    }

    public double grpcRefusedMessages(String code) {
        return grpcRefused.labelValues(code).get();
    }

    public double recordCount(String signal) {
        return records.labelValues(signal).get();
    }

    public double requestCount(String route, String status) {
        return requests.labelValues(route, status).get();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The exposition in the format {@code accept} asks for (Prometheus text by default). */
    public Scrape scrape(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Scrape(writer.getContentType(), out.toByteArray());
    }

    public record Scrape(String contentType, byte[] body) {}
}
