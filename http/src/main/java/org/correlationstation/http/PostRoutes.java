package org.correlationstation.http;

import java.util.Map;

/**
 * The POST routes a {@link VertxHttpServer} serves with their bodies, before the {@link HttpService}'s
 * own routes: exact path → handler. Their handlers run on a pool of their own (they decode bodies of
 * up to megabytes and may block), at most {@code maxInProgress} at a time; beyond that the answer is
 * 503 with {@code Retry-After}.
 *
 * @param maxBodyBytes bodies are read up to this plus one byte (the handler answers a larger one, or
 *     one whose declared length alone is larger, with an empty body)
 * @param threadName the pool's thread names, numbered
 */
public record PostRoutes(Map<String, PostHandler> handlers, long maxBodyBytes, int maxInProgress, String threadName) {
    public PostRoutes {
        handlers = Map.copyOf(handlers);
        if (maxInProgress < 1) throw new IllegalArgumentException("maxInProgress must be at least 1");
    }

    /** No POST routes: every request goes to the service. */
    public static PostRoutes none() {
        return new PostRoutes(Map.of(), 0, 1, "http-post");
    }
}
