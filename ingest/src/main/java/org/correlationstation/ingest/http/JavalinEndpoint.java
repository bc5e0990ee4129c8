package org.correlationstation.ingest.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/** Serves an {@link IngestEndpoint} on the ingest service's own (Javalin) server. */
final class JavalinEndpoint implements Handler {
    private final IngestEndpoint endpoint;
    private final long bodyReadTimeoutMs;

    JavalinEndpoint(IngestEndpoint endpoint, long bodyReadTimeoutMs) {
        this.endpoint = endpoint;
        this.bodyReadTimeoutMs = bodyReadTimeoutMs;
    }

    @Override
    public void handle(Context ctx) throws IOException {
        IngestRequest request = new IngestRequest(ctx.header("Content-Type"), ctx.header("Content-Encoding"),
                ctx.header("Authorization"), ctx.req().getInputStream(), ctx.req().getContentLengthLong());
        // The endpoint reads the body before it returns; while it does, the connection's idle timeout is
        // HTTP_BODY_READ_TIMEOUT_MS, so a body shorter than its Content-Length fails the read (→ 408)
        // rather than waiting for the connector's 30 s. Restored after: keep-alive waits stay as they were.
        EndPoint connection = Request.getBaseRequest(ctx.req()).getHttpChannel().getEndPoint();
        long idle = connection.getIdleTimeout();
        CompletableFuture<IngestResponse> answer;
        connection.setIdleTimeout(bodyReadTimeoutMs);
        try {
            answer = endpoint.handle(request);
        } finally {
            connection.setIdleTimeout(idle);
        }
        // A failed answer goes to the server's exception handler (500).
        ctx.future(() -> answer.thenAccept(r -> {
            r.headers().forEach(ctx::header);
            ctx.status(r.status()).contentType(r.contentType()).result(r.body());
        }));
    }
}
