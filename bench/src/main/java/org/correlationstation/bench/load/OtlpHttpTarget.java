package org.correlationstation.bench.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POSTs batches to an OTLP/HTTP receiver ({@code /v1/traces}, {@code /v1/logs}, protobuf), with at most
 * {@code maxInFlight} requests outstanding, like a Collector's OTLP exporter queue.
 */
public final class OtlpHttpTarget implements OtlpTarget {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    public OtlpHttpTarget(String baseUrl, int maxInFlight) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
    }

    @Override
    public void send(OtlpBatch batch) {
        inFlight.acquireUninterruptibly();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + batch.signal().otlpHttpPath))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(batch.message().toByteArray()))
                .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, e) -> {
            if (e == null && response.statusCode() / 100 == 2) {
                acknowledged.incrementAndGet();
            } else {
                errors.incrementAndGet();
            }
            inFlight.release();
        });
    }

    @Override
    public long acknowledged() {
        return acknowledged.get();
    }

    @Override
    public long errors() {
        return errors.get();
    }

    @Override
    public void flush() throws InterruptedException {
        if (!inFlight.tryAcquire(maxInFlight, 2, TimeUnit.MINUTES)) throw new IllegalStateException("requests still in flight after 2 min");
        inFlight.release(maxInFlight);
    }

    @Override
    public void close() throws InterruptedException {
        flush();
    }
}
