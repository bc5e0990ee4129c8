package org.correlationstation.http;

import java.util.concurrent.CompletableFuture;

/**
 * A POST route served with its body ({@link PostRoutes}), outside the {@link HttpService}'s routes:
 * the ingest service's OTLP and legacy routes, on its own port and, in local mode, on the API's port
 * too (there without the API's token, rate limit, trace context or metrics).
 */
@FunctionalInterface
public interface PostHandler {
    /** Answers one request; may complete on any thread. A failed future or a throw is a 500. */
    CompletableFuture<HttpResponse> handle(PostRequest request);
}
