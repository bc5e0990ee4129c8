package org.correlationstation.api.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection, behind netty's {@code HttpServerCodec}: turns each request into an
 * {@link ApiRequest} for {@link HttpApi} (or a {@link PostRequest} for an extra POST route) and writes
 * the answer. All state is touched on the connection's event loop only; answers complete on any
 * thread and are written through the channel, which hands the write to the event loop.
 *
 * <p><b>One request at a time.</b> Responses must leave in request order; a pipelining client's next
 * requests are held (parsed, not answered) until the current response is written. When more than
 * {@link #MAX_HELD} parsed messages wait, the connection stops reading until they are answered.
 *
 * <p><b>Bodies.</b> The API's routes take none: a body up to {@link #DISCARD_LIMIT} bytes is read and
 * dropped before the answer (413 when over {@link HttpApi#MAX_BODY_BYTES}), a larger one is answered
 * at once and the connection closed. Extra POST routes get their body up to the limit plus one byte.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
    /** Parsed messages held behind an unanswered request before reading stops (a GET is two). */
    static final int MAX_HELD = 64;
    /**
     * A refused body up to this size is read to its end before the answer, so that the connection
     * can stay open and closing it cannot reset the answer away (unread bytes at close make the kernel
     * send a reset, and the client may lose the response).
     */
    static final int DISCARD_LIMIT = 64 * 1024;
    /** Longest wait for the client to close after the server's last response (see {@link #lingeringClose}). */
    static final long LINGER_MS = 2_000;

    private enum Phase {
        /** Between requests. */
        IDLE,
        /** An API request: its body (if any) is dropped; answered at its end. */
        DISCARD_BODY,
        /** An extra POST route: its body is collected; answered at its end. */
        COLLECT_BODY,
        /** Already answered (early, the connection closes after it): the rest of the request is ignored. */
        SKIP_BODY
    }

    /** What the response of one request depends on. */
    private record Exchange(HttpVersion version, boolean keepAlive, boolean head) {
        static final Exchange CLOSE = new Exchange(HttpVersion.HTTP_1_1, false, false);

        Exchange closing() {
            return new Exchange(version, false, head);
        }
    }

    private final HttpApi api;
    private final Map<String, PostHandler> extraPostRoutes;
    private final int maxPostBodyBytes;
    private final ArrayDeque<Object> held = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    /** A request was handed on and its response is not written yet. */
    private boolean responding;
    private boolean draining;
    private boolean closing;

    private Phase phase = Phase.IDLE;
    private Exchange exchange;
    private ApiRequest apiRequest;
    private long discarded;
    private PostHandler postHandler;
    private String postPath;
    private Map<String, String> postHeaders;
    private long postLength;
    private ByteArrayOutputStream postBody;
    /** Fires {@link #bodyTimedOut} while a declared body is being read; null otherwise. */
    private ScheduledFuture<?> bodyTimer;

    HttpConnection(HttpApi api, Map<String, PostHandler> extraPostRoutes, int maxPostBodyBytes) {
        this.api = api;
        this.extraPostRoutes = extraPostRoutes;
        this.maxPostBodyBytes = maxPostBodyBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (responding || !held.isEmpty()) {
            held.add(msg);
            if (held.size() >= MAX_HELD) ctx.channel().config().setAutoRead(false);
        } else {
            process(msg);
        }
    }

    private void process(Object msg) {
        try {
            if (msg instanceof HttpRequest request) onRequest(request);
            if (msg instanceof HttpContent content && !closing) onContent(content);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            refuse(request.decoderResult().cause());
            return;
        }
        HttpHeaders headers = request.headers();
        HttpMethod method = request.method();
        exchange = new Exchange(request.protocolVersion(), HttpUtil.isKeepAlive(request), HttpMethod.HEAD.equals(method));
        String[] target = ApiRequest.splitTarget(request.uri());
        long length = contentLength(headers);
        boolean chunked = length < 0 && headers.contains(HttpHeaderNames.TRANSFER_ENCODING);

        PostHandler post = HttpMethod.POST.equals(method) ? extraPostRoutes.get(target[0]) : null;
        if (post != null) {
            postHandler = post;
            postPath = target[0];
            postHeaders = firstValues(headers);
            postLength = length;
            if (length > maxPostBodyBytes) {
                // The handler answers (413) from the declared length; the body is not read.
                phase = Phase.SKIP_BODY;
                exchange = exchange.closing();
                dispatchPost(new byte[0]);
            } else {
                postBody = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
                phase = Phase.COLLECT_BODY;
                startBodyTimer(length, chunked);
            }
            return;
        }

        apiRequest = new ApiRequest(method.name(), target[0], target[1], single(headers, "traceparent"),
                headers.get(HttpHeaderNames.AUTHORIZATION), headers.get(HttpHeaderNames.ACCEPT), length, chunked);
        discarded = 0;
        if (length > DISCARD_LIMIT) {
            phase = Phase.SKIP_BODY;
            exchange = exchange.closing();
            dispatchApi();
        } else {
            phase = Phase.DISCARD_BODY;
            startBodyTimer(length, chunked);
        }
    }

    /**
     * A declared body must arrive within {@code HTTP_BODY_READ_TIMEOUT_MS}: a client whose
     * Content-Length exceeds what it sends would otherwise wait for the 30 s idle close with no answer.
     * Only requests with a body start the timer, so a GET costs none.
     */
    private void startBodyTimer(long length, boolean chunked) {
        if (length <= 0 && !chunked) return;
        bodyTimer = ctx.executor().schedule(this::bodyTimedOut, api.bodyReadTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    private void stopBodyTimer() {
        if (bodyTimer != null) {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
    }

    /** On the event loop: the body is still incomplete; 408, and the connection closes after it. */
    private void bodyTimedOut() {
        bodyTimer = null;
        if (closing || (phase != Phase.DISCARD_BODY && phase != Phase.COLLECT_BODY)) return;
        phase = Phase.SKIP_BODY;
        apiRequest = null;
        postHandler = null;
        postHeaders = null;
        postBody = null;
        responding = true;
        write(api.bodyTimeout(), exchange.closing());
    }

    private void onContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            if (phase != Phase.SKIP_BODY) refuse(content.decoderResult().cause());
            phase = Phase.SKIP_BODY;
            return;
        }
        int bytes = content.content().readableBytes();
        if (phase == Phase.COLLECT_BODY) {
            int room = maxPostBodyBytes + 1 - postBody.size();
            try {
                content.content().getBytes(content.content().readerIndex(), postBody, Math.min(room, bytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
            }
            if (postBody.size() > maxPostBodyBytes) {
                phase = Phase.SKIP_BODY;
                exchange = exchange.closing();
                dispatchPost(postBody.toByteArray());
                return;
            }
        } else if (phase == Phase.DISCARD_BODY) {
            discarded += bytes;
            if (discarded > DISCARD_LIMIT) {
                phase = Phase.SKIP_BODY;
                exchange = exchange.closing();
                dispatchApi();
                return;
            }
        }
        if (content instanceof LastHttpContent) {
            Phase ended = phase;
            phase = Phase.IDLE;
            if (ended == Phase.COLLECT_BODY) dispatchPost(postBody.toByteArray());
            else if (ended == Phase.DISCARD_BODY) dispatchApi();
        }
    }

    /** A request the parser refused: answered, then the connection closes (the parser reads no further). */
    private void refuse(Throwable cause) {
        stopBodyTimer();
        int status = cause instanceof TooLongHttpLineException ? 414
                : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        phase = Phase.SKIP_BODY;
        responding = true;
        write(api.transportError(status), Exchange.CLOSE);
    }

    private void dispatchApi() {
        stopBodyTimer();
        ApiRequest request = apiRequest;
        apiRequest = null;
        // POSTs to an extra route never get here: any other method on its path is a wrong method (405).
        boolean postOnly = extraPostRoutes.containsKey(request.rawPath());
        answer(() -> postOnly ? CompletableFuture.completedFuture(api.postOnly(request)) : api.handle(request));
    }

    private void dispatchPost(byte[] body) {
        stopBodyTimer();
        PostRequest request = new PostRequest(postPath, postHeaders, body, postLength, remoteAddress());
        PostHandler handler = postHandler;
        postHandler = null;
        postHeaders = null;
        postBody = null;
        answer(() -> handler.handle(request));
    }

    /** Writes what {@code handler} answers for the current exchange; a throw or no answer is a 500. */
    private void answer(Supplier<CompletableFuture<HttpResponse>> handler) {
        Exchange x = exchange;
        responding = true;
        CompletableFuture<HttpResponse> answer;
        try {
            answer = handler.get();
            if (answer == null) answer = CompletableFuture.failedFuture(new IllegalStateException("no answer"));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((r, e) -> write(e == null ? r : internalError(e), x));
    }

    /** Writes one answer; any thread (the channel hands the write to its event loop). */
    private void write(HttpResponse r, Exchange x) {
        byte[] body = r.body();
        FullHttpResponse response = new DefaultFullHttpResponse(x.version(), HttpResponseStatus.valueOf(r.status()),
                x.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        HttpHeaders headers = response.headers();
        if (r.contentType() != null) headers.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        for (Map.Entry<String, String> h : r.headers().entrySet()) headers.set(h.getKey(), h.getValue());
        if (!x.keepAlive()) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (x.version() == HttpVersion.HTTP_1_0) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.writeAndFlush(response).addListener((ChannelFuture f) -> written(f, x.keepAlive()));
    }

    /** On the event loop, once a response is written: the next held request, or the close. */
    private void written(ChannelFuture f, boolean keepAlive) {
        if (!f.isSuccess()) {
            closing = true;
            f.channel().close();
            releaseHeld();
            return;
        }
        if (!keepAlive) {
            closing = true;
            releaseHeld();
            lingeringClose(f.channel());
            return;
        }
        responding = false;
        if (!f.channel().config().isAutoRead()) f.channel().config().setAutoRead(true);
        drain();
    }

    /**
     * Closes after the last response without losing it: a close with unread request bytes (the rest of
     * a refused body or URL) makes the kernel answer with a reset, and the client may then drop the
     * response it has not read yet. So the output is shut (FIN after the response), input is read and
     * dropped until the client closes, and the channel is closed after {@link #LINGER_MS} at the latest.
     */
    private static void lingeringClose(Channel channel) {
        if (!(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
            channel.close();
            return;
        }
        channel.config().setAutoRead(true);
        duplex.shutdownOutput().addListener(done -> {
            if (done.isSuccess()) channel.eventLoop().schedule(() -> channel.close(), LINGER_MS, TimeUnit.MILLISECONDS);
            else channel.close();
        });
    }

    private void drain() {
        if (draining) return; // a response written synchronously while draining: the loop below goes on
        draining = true;
        try {
            Object msg;
            while (!responding && !closing && (msg = held.poll()) != null) process(msg);
        } finally {
            draining = false;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && !responding) {
            closing = true;
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        stopBodyTimer();
        releaseHeld();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) log.warn("closing an HTTP connection after an error", cause);
        closing = true;
        ctx.close();
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) ReferenceCountUtil.release(msg);
    }

    private static HttpResponse internalError(Throwable e) {
        log.error("internal error while answering a request", HttpApi.unwrap(e));
        return TransportErrors.response(500);
    }

    /** The declared length; -1 when none (the parser has already refused a malformed one). */
    private static long contentLength(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (value == null) return -1;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A header sent once; null when absent or repeated (e.g. two traceparents: neither is trusted). */
    private static String single(HttpHeaders headers, String name) {
        String value = headers.get(name);
        if (value == null) return null;
        List<String> all = headers.getAll(name);
        return all.size() == 1 ? value : null;
    }

    private static Map<String, String> firstValues(HttpHeaders headers) {
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : headers) out.putIfAbsent(h.getKey(), h.getValue());
        return out;
    }

    private String remoteAddress() {
        SocketAddress a = ctx.channel().remoteAddress();
        return a instanceof InetSocketAddress i ? i.getHostString() + ":" + i.getPort() : String.valueOf(a);
    }
}
