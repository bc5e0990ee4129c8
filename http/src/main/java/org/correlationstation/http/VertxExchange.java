package org.correlationstation.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on a {@link VertxHttpServer}: turned into a {@link RequestHead} for the {@link HttpService} (or a
 * {@link PostRequest} for an extra POST route) and answered from whichever thread completes it. Vert.x
 * keeps the order of pipelined answers and the connection's keep-alive; this class decides about
 * bodies and about closing.
 *
 * <p><b>Bodies.</b> The service's routes take none: a request without one is answered at once (no
 * handler for its end); a body up to {@link #DISCARD_LIMIT} bytes is read and dropped before the
 * answer (the API answers 413 when it is over its 1 KiB), a larger one is answered at once and the
 * connection closed. Extra POST routes get their body up to the limit plus one byte. A declared body
 * must arrive within {@code HTTP_BODY_READ_TIMEOUT_MS} (else 408, and the connection closes).
 */
final class VertxExchange {
    private static final Logger log = LoggerFactory.getLogger(VertxExchange.class);
    /**
     * A refused body up to this size is read to its end before the answer, so that the connection
     * can stay open; beyond it the answer comes at once and the connection closes (lingering, see
     * {@link LingeringClose}).
     */
    static final int DISCARD_LIMIT = 64 * 1024;
    private static final Buffer EMPTY = BufferInternal.buffer(Unpooled.EMPTY_BUFFER);

    /** What every request of a server shares. */
    record Config(HttpService service, Map<String, PostHandler> extraPostRoutes, int maxPostBodyBytes, AtomicBoolean stopping) {}

    private final HttpServerRequest request;
    private final Config config;
    private final Vertx vertx;
    /** The request for the service, or null for a POST route. */
    private final RequestHead apiRequest;
    private final PostHandler postHandler;
    private final long length;
    private long discarded;
    private ByteArrayOutputStream postBody;
    private long timer = -1;
    /** Answered (or answering): whatever arrives or fires later is ignored. Event-loop state. */
    private boolean done;

    private VertxExchange(HttpServerRequest request, Config config, RequestHead apiRequest, PostHandler postHandler,
            long length) {
        this.request = request;
        this.config = config;
        this.vertx = Vertx.currentContext().owner();
        this.apiRequest = apiRequest;
        this.postHandler = postHandler;
        this.length = length;
    }

    /** Vert.x's request handler, on the connection's event loop once the request's head is parsed. */
    static void serve(HttpServerRequest request, Config config) {
        MultiMap headers = request.headers();
        String[] target = RequestHead.splitTarget(request.uri());
        long length = contentLength(headers);
        boolean chunked = length < 0 && headers.contains(HttpHeaders.TRANSFER_ENCODING);
        boolean hasBody = length > 0 || chunked;

        PostHandler post = request.method() == HttpMethod.POST ? config.extraPostRoutes().get(target[0]) : null;
        if (post != null) {
            new VertxExchange(request, config, null, post, length).collectPostBody(target[0], hasBody);
            return;
        }
        RequestHead api = new RequestHead(request.method().name(), target[0], target[1], single(headers, "traceparent"),
                headers.get(HttpHeaders.AUTHORIZATION), headers.get(HttpHeaders.ACCEPT), length, chunked);
        if (!hasBody) {
            // The common case: answered now; Vert.x holds a pipelined next request until this answer is out.
            answer(request, config, api(config, api), false);
        } else {
            new VertxExchange(request, config, api, null, length).discardBody();
        }
    }

    /** Vert.x's handler of requests its parser refused (line or headers too long, malformed): answered, then closed. */
    static void invalid(HttpServerRequest request, Config config) {
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        // Vert.x closes the connection itself once this answer is written.
        write(request, config, config.service().transportError(status), true);
    }

    private static Supplier<CompletableFuture<HttpResponse>> api(Config config, RequestHead request) {
        // POSTs to an extra route never get here: any other method on its path is a wrong method (405).
        if (config.extraPostRoutes().containsKey(request.rawPath())) {
            return () -> CompletableFuture.completedFuture(config.service().postOnly(request));
        }
        return () -> config.service().handle(request);
    }

    // ---------------------------------------------------------------- bodies

    private void discardBody() {
        if (length > DISCARD_LIMIT) {
            finish(api(config, apiRequest), true);
            return;
        }
        startBodyTimer();
        request.exceptionHandler(this::failed);
        request.handler(chunk -> {
            if (done) return;
            discarded += chunk.length();
            if (discarded > DISCARD_LIMIT) finish(api(config, apiRequest), true);
        });
        request.endHandler(v -> {
            if (!done) finish(api(config, apiRequest), false);
        });
    }

    private void collectPostBody(String path, boolean hasBody) {
        int max = config.maxPostBodyBytes();
        Map<String, String> headers = firstValues(request.headers());
        String remote = remoteAddress(request.remoteAddress());
        if (length > max) {
            // The handler answers (413) from the declared length; the body is not read.
            finish(post(new PostRequest(path, headers, new byte[0], length, remote)), true);
            return;
        }
        if (!hasBody) {
            finish(post(new PostRequest(path, headers, new byte[0], length, remote)), false);
            return;
        }
        postBody = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
        startBodyTimer();
        request.exceptionHandler(this::failed);
        request.handler(chunk -> {
            if (done) return;
            int room = max + 1 - postBody.size();
            byte[] bytes = chunk.getBytes(0, Math.min(room, chunk.length()));
            postBody.writeBytes(bytes);
            if (postBody.size() > max) {
                finish(post(new PostRequest(path, headers, postBody.toByteArray(), length, remote)), true);
            }
        });
        request.endHandler(v -> {
            if (!done) finish(post(new PostRequest(path, headers, postBody.toByteArray(), length, remote)), false);
        });
    }

    private Supplier<CompletableFuture<HttpResponse>> post(PostRequest post) {
        return () -> postHandler.handle(post);
    }

    /** Only requests with a body start the timer, so a GET costs none. */
    private void startBodyTimer() {
        timer = vertx.setTimer(config.service().bodyReadTimeoutMs(), id -> {
            timer = -1;
            if (done) return;
            done = true;
            write(request, config, config.service().bodyTimeout(), true);
        });
    }

    /** The body broke off (a malformed chunk): 400, then Vert.x closes the connection. */
    private void failed(Throwable t) {
        if (done) return;
        done = true;
        cancelTimer();
        if (t instanceof HttpClosedException) return;
        write(request, config, config.service().transportError(400), true);
    }

    private void finish(Supplier<CompletableFuture<HttpResponse>> handler, boolean close) {
        done = true;
        cancelTimer();
        answer(request, config, handler, close);
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    // ---------------------------------------------------------------- answers

    /** Writes what {@code handler} answers; a throw or no answer is a 500. */
    private static void answer(HttpServerRequest request, Config config,
            Supplier<CompletableFuture<HttpResponse>> handler, boolean close) {
        CompletableFuture<HttpResponse> answer;
        try {
            answer = handler.get();
            if (answer == null) answer = CompletableFuture.failedFuture(new IllegalStateException("no answer"));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        // From the completing thread: over Redis the store's reply arrives on this connection's loop.
        answer.whenComplete((r, e) -> write(request, config, e == null ? r : internalError(config, e), close));
    }

    /**
     * Writes one answer; any thread (Vert.x hands a write from elsewhere to the event loop).
     * {@code close}: the connection closes after it, whatever the request asked.
     */
    static void write(HttpServerRequest request, Config config, HttpResponse r, boolean close) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) return;
        byte[] body = r.body();
        response.setStatusCode(r.status());
        MultiMap headers = response.headers();
        if (r.contentType() != null) headers.set(HttpHeaders.CONTENT_TYPE, r.contentType());
        // Set here, not by Vert.x, so that HEAD gets GET's length.
        headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
        for (Map.Entry<String, String> h : r.headers().entrySet()) headers.set(h.getKey(), h.getValue());
        boolean keepAlive = keepAlive(request);
        if (close || !keepAlive) {
            // Vert.x adds the header itself only when the client asked to close in HTTP/1.1.
            headers.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            lingerOnClose(request, config.stopping());
        }
        Buffer payload = request.method() == HttpMethod.HEAD || body.length == 0 ? EMPTY
                : BufferInternal.buffer(Unpooled.wrappedBuffer(body));
        if (close) {
            // Vert.x would keep the connection, or close it only at the end of a request body that
            // may never come: close it once the answer is out (a second close is absorbed).
            response.end(payload).onComplete((v, e) -> request.connection().close());
        } else {
            response.end(payload);
        }
    }

    /**
     * Puts {@link LingeringClose} on the connection before it closes: its close must not reset away
     * the answer. Vert.x's connection class is the netty channel's handler ({@code ConnectionBase},
     * outside Vert.x's public API); without it the connection just closes.
     */
    private static void lingerOnClose(HttpServerRequest request, AtomicBoolean stopping) {
        if (!(request.connection() instanceof ConnectionBase c)) return;
        ChannelPipeline pipeline = c.channelHandlerContext().pipeline();
        if (pipeline.get(LingeringClose.class) == null && pipeline.get("handler") != null) {
            try {
                pipeline.addBefore("handler", "linger", new LingeringClose(stopping));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                // added meanwhile, or the connection is gone
            }
        }
    }

    /** As Vert.x decides it for the request (HTTP/1.1 unless {@code close}, HTTP/1.0 with {@code keep-alive}). */
    static boolean keepAlive(HttpServerRequest request) {
        MultiMap headers = request.headers();
        return request.version() == HttpVersion.HTTP_1_1
                ? !headers.contains(HttpHeaders.CONNECTION, HttpHeaders.CLOSE, true)
                : request.version() == HttpVersion.HTTP_1_0 && headers.contains(HttpHeaders.CONNECTION, HttpHeaders.KEEP_ALIVE, true);
    }

    private static HttpResponse internalError(Config config, Throwable e) {
        Throwable cause = e;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        log.error("internal error while answering a request", cause);
        return config.service().transportError(500);
    }

    /** The declared length; -1 when none (the parser has already refused a malformed one). */
    private static long contentLength(MultiMap headers) {
        String value = headers.get(HttpHeaders.CONTENT_LENGTH);
        if (value == null) return -1;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A header sent once; null when absent or repeated (e.g. two traceparents: neither is trusted). */
    private static String single(MultiMap headers, String name) {
        String value = headers.get(name);
        if (value == null) return null;
        List<String> all = headers.getAll(name);
        return all.size() == 1 ? value : null;
    }

    private static Map<String, String> firstValues(MultiMap headers) {
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : headers) out.putIfAbsent(h.getKey(), h.getValue());
        return out;
    }

    private static String remoteAddress(SocketAddress a) {
        return a == null ? "unknown" : a.hostAddress() + ":" + a.port();
    }
}
