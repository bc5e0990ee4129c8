package org.correlationstation.bench.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The constant-rate driver sends every scheduled request once and accounts for every answer. */
class ConstantRateLoadTest {

    /** A local HTTP server: one handler per connection (handlers may keep per-connection state). */
    private static final class TestServer implements AutoCloseable {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final URI uri;

        TestServer(Supplier<SimpleChannelInboundHandler<FullHttpRequest>> perConnection) throws InterruptedException {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024), perConnection.get());
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            uri = URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
        }

        static void answer(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }

        @Override
        public void close() throws InterruptedException {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void sendsEveryScheduledLookupAndCountsNon200sByStatus() throws Exception {
        Map<String, AtomicLong> lookups = new ConcurrentHashMap<>();
        AtomicLong wrongRequests = new AtomicLong();
        try (TestServer server = new TestServer(() -> new SimpleChannelInboundHandler<>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
                        String id = uri.parameters().get("trace_id").get(0);
                        lookups.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
                        String host = request.headers().get(HttpHeaderNames.HOST);
                        int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
                        if (!uri.path().equals("/api/correlations") || !("127.0.0.1:" + port).equals(host)
                                || !HttpUtil.isKeepAlive(request)) {
                            wrongRequests.incrementAndGet();
                        }
                        TestServer.answer(ctx, request, id.equals("missing") ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.OK,
                                "{\"trace_id\":\"" + id + "\"}");
                    }
                });
                ConstantRateClient client = new ConstantRateClient(server.uri, 4)) {
            ConstantRateClient.Result result = client.run(List.of("a", "b", "c", "d", "missing"), 500, 2);

            assertThat(result.sent()).isEqualTo(1000);
            assertThat(result.completed()).isEqualTo(1000);
            assertThat(result.latencyMicros().getTotalCount()).isEqualTo(1000);
            assertThat(result.errors()).isEqualTo(200);
            assertThat(result.errorsByStatus()).containsExactly(Map.entry(404, 200L));
            assertThat(lookups).containsOnlyKeys("a", "b", "c", "d", "missing");
            assertThat(lookups.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(200));
            assertThat(wrongRequests.get()).isZero();
        }
    }

    @Test
    void aRequestLostWithAReusedConnectionTheServerClosedIsSentAgain() throws Exception {
        // The server closes a reused connection on every tenth request without answering it, as a keep-alive
        // connection that hit the server's idle timeout just as the request left: not the server's error.
        AtomicLong received = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        try (TestServer server = new TestServer(() -> new SimpleChannelInboundHandler<>() {
                    private boolean answered;

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        if (received.incrementAndGet() % 10 == 5 && answered) {
                            dropped.incrementAndGet();
                            ctx.close();
                            return;
                        }
                        answered = true;
                        TestServer.answer(ctx, request, HttpResponseStatus.OK, "{}");
                    }
                });
                ConstantRateClient client = new ConstantRateClient(server.uri, 4)) {
            ConstantRateClient.Result result = client.run(List.of("a", "b"), 200, 2);

            assertThat(result.completed()).isEqualTo(400);
            assertThat(result.errors()).isZero();
            assertThat(dropped.get()).isPositive();
            assertThat(received.get()).isEqualTo(400 + dropped.get());
        }
    }

    @Test
    void aRefusedConnectionCountsAsStatusZero() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (ConstantRateClient client = new ConstantRateClient(URI.create("http://127.0.0.1:" + closedPort), 4)) {
            ConstantRateClient.Result result = client.run(List.of("a"), 100, 1);

            assertThat(result.completed()).isEqualTo(100);
            assertThat(result.errors()).isEqualTo(100);
            assertThat(result.errorsByStatus()).containsExactly(Map.entry(0, 100L));
            assertThat(result.latencyMicros().getTotalCount()).isEqualTo(100);
        }
    }

    @Test
    void aClosedLoopAnswersEverythingItSentAndCountsTheUnitsOf2xxAnswers() throws Exception {
        AtomicLong received = new AtomicLong();
        try (TestServer server = new TestServer(() -> new SimpleChannelInboundHandler<>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        received.incrementAndGet();
                        long i = Long.parseLong(request.uri().substring("/r/".length()));
                        TestServer.answer(ctx, request, i % 5 == 0 ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, "{}");
                    }
                });
                ConstantRateClient client = new ConstantRateClient(server.uri, 3)) {
            ConstantRateClient.Requests requests = new ConstantRateClient.Requests() {
                @Override
                public FullHttpRequest request(long i) {
                    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/r/" + i, Unpooled.EMPTY_BUFFER,
                            new DefaultHttpHeaders().set(HttpHeaderNames.HOST, "localhost"), EmptyHttpHeaders.INSTANCE);
                }

                @Override
                public long units(long i) {
                    return i % 3 + 1;
                }
            };
            ConstantRateClient.Result result = client.saturate(requests, 1);

            long expectedUnits = 0;
            long expectedErrors = 0;
            for (long i = 0; i < result.sent(); i++) {
                if (i % 5 == 0) expectedErrors++;
                else expectedUnits += i % 3 + 1;
            }
            assertThat(result.sent()).isPositive().isEqualTo(result.completed()).isEqualTo(received.get());
            assertThat(result.okUnits()).isEqualTo(expectedUnits);
            assertThat(result.errors()).isEqualTo(expectedErrors);
            assertThat(result.errorsByStatus()).containsOnlyKeys(503);
            assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.sent());
        }
    }
}
