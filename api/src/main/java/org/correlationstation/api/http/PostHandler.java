package org.correlationstation.api.http;

import java.util.concurrent.CompletableFuture;

/**
 * A POST route that another module serves on the API's port, outside the API's own routes (no
 * token, rate limit, trace context or API metrics): local mode serves the legacy ingestion routes
 * this way, without the API depending on the ingest module.
 */
@FunctionalInterface
public interface PostHandler {
    /** Answers one request; may complete on any thread. A failed future or a throw is a 500. */
    CompletableFuture<HttpResponse> handle(PostRequest request);
}
