package org.correlationstation.ingest.http;

import java.util.concurrent.CompletableFuture;

/**
 * An ingestion route (POST), free of any HTTP server: the ingest service's own server mounts it
 * ({@link IngestRoutes#mount}), and local mode serves it on the query API's port too. The answer
 * completes once Kafka acknowledged every record (no thread waits for Kafka); a failed future means
 * an unexpected error (the server answers 500).
 */
@FunctionalInterface
public interface IngestEndpoint {
    CompletableFuture<IngestResponse> handle(IngestRequest request);
}
