package org.correlationstation.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the extra POST routes off the event loops. Their handlers decode bodies of up to megabytes and
 * may block (the ingestion routes wait up to Kafka's {@code max.block.ms} for a topic's metadata);
 * on an event loop that would stall every connection of the loop, and over Redis the store's replies
 * too. Beyond the pool's size of requests in progress the answer is 503 with {@code Retry-After}.
 */
final class OffloadedPostRoutes implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final Map<String, PostHandler> routes = new LinkedHashMap<>();

    OffloadedPostRoutes(PostRoutes postRoutes) {
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(0, postRoutes.maxInProgress(), 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, postRoutes.threadName() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        postRoutes.handlers().forEach((path, handler) -> routes.put(path, request -> offload(handler, request)));
    }

    /** Exact path → the handler, run on this pool. */
    Map<String, PostHandler> routes() {
        return Map.copyOf(routes);
    }

    private CompletableFuture<HttpResponse> offload(PostHandler handler, PostRequest request) {
        try {
            return CompletableFuture.supplyAsync(() -> handler.handle(request), executor).thenCompose(f -> f);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(HttpResponse.error(503, "unavailable",
                    "too many requests in progress on " + request.path() + "; retry later")
                    .withHeader("Retry-After", "1"));
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
