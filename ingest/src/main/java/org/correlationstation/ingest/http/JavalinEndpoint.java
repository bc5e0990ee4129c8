package org.correlationstation.ingest.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Serves an {@link IngestEndpoint} on the ingest service's own (Javalin) server. */
final class JavalinEndpoint implements Handler {
    private final IngestEndpoint endpoint;

    JavalinEndpoint(IngestEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void handle(Context ctx) throws IOException {
        IngestRequest request = new IngestRequest(ctx.header("Content-Type"), ctx.header("Content-Encoding"),
                ctx.header("Authorization"), ctx.req().getInputStream(), ctx.req().getContentLengthLong());
        CompletableFuture<IngestResponse> answer = endpoint.handle(request);
        // A failed answer goes to the server's exception handler (500).
        ctx.future(() -> answer.thenAccept(r -> {
            r.headers().forEach(ctx::header);
            ctx.status(r.status()).contentType(r.contentType()).result(r.body());
        }));
    }
}
