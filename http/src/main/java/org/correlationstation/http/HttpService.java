package org.correlationstation.http;

import java.util.concurrent.CompletableFuture;

/**
 * What {@link VertxHttpServer} asks of the application behind a port: the answers to requests, and
 * to what goes wrong before a request reaches them, in the application's own error format. The
 * query API ({@code HttpApi}) and the ingest service ({@code IngestHttp}) each implement it, so both
 * ports answer the same edges the same way.
 */
public interface HttpService {
    /**
     * Answers a request of any method and path except a POST to one of the server's POST routes; may
     * complete on any thread. A failed future or a throw is a 500 ({@link #transportError}).
     */
    CompletableFuture<HttpResponse> handle(RequestHead request);

    /** Another method than POST on the path of a POST route: 405 with {@code Allow: POST}. */
    HttpResponse postOnly(RequestHead request);

    /**
     * What the server answers for a request it could not parse or serve: 400 (malformed), 413, 414
     * (request line too long), 431 (headers too large), 500 (a handler failed).
     */
    HttpResponse transportError(int status);

    /** The 408 for a body that did not arrive within {@link #bodyReadTimeoutMs()}. */
    HttpResponse bodyTimeout();

    /** {@code HTTP_BODY_READ_TIMEOUT_MS}: how long the server waits for the rest of a declared body. */
    long bodyReadTimeoutMs();
}
