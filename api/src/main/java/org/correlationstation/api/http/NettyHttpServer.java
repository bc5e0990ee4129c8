package org.correlationstation.api.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's HTTP/1.1 server: netty's HTTP codec on the native epoll transport (NIO where epoll is
 * not available), each connection served by an {@link HttpConnection}. Chosen over a servlet stack
 * (Javalin on Jetty) because, at saturation, Jetty and Javalin's per-request layers took about half of
 * the API's CPU; here a request is parsed once and answered from the store's completing thread.
 */
public final class NettyHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NettyHttpServer.class);

    /**
     * Event-loop threads of a server with loops of its own (they also accept connections: clients keep
     * theirs open, so accepting is rare). Two: the target machine has two cores; more loops than cores
     * only add context switches, one would put every connection's parsing and writes on one core.
     * Over Redis the server runs on the store's I/O threads instead (see {@link #start}).
     */
    static final int EVENT_LOOP_THREADS = 2;
    /**
     * Longest request line: a target beyond {@link HttpApi#MAX_URL_BYTES} still reaches the API (414
     * with its trace context); beyond this the parser refuses it (414 too, see {@link TransportErrors}).
     */
    static final int MAX_REQUEST_LINE_BYTES = 16 * 1024;
    /** All request headers together; beyond: 431. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Responses from this size on are gzipped when the client accepts gzip (what Javalin did before). */
    static final int COMPRESSION_THRESHOLD_BYTES = 1500;
    /**
     * A connection that sent nothing for this long while no answer is pending is closed (Jetty's
     * default idle timeout). Reads only: watching writes too would add a listener to every response.
     */
    static final int IDLE_SECONDS = 30;

    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final Channel channel;
    private final ChannelGroup connections;
    private final OffloadedPostRoutes postRoutes;

    private NettyHttpServer(EventLoopGroup group, boolean ownGroup, Channel channel, ChannelGroup connections,
            OffloadedPostRoutes postRoutes) {
        this.group = group;
        this.ownGroup = ownGroup;
        this.channel = channel;
        this.connections = connections;
        this.postRoutes = postRoutes;
    }

    /**
     * Listens on {@code port} (0: a free one) on every interface.
     *
     * @param extraPostRoutes exact path → handler of POST requests, served before the API's routes (on
     *     threads of their own: {@link OffloadedPostRoutes})
     * @param maxPostBodyBytes bodies of those routes are read up to this plus one byte
     * @param sharedLoops event loops to run on instead of {@link #EVENT_LOOP_THREADS} of its own (not
     *     shut down by {@link #close()}), or null. The Redis store's: a request then parses, sends its
     *     command, gets the reply and writes its response on one thread, where separate loops hand the
     *     command to the store's thread and the reply back (two wake-ups of another thread per
     *     request), and the two cores run two busy threads instead of four.
     */
    public static NettyHttpServer start(int port, HttpApi api, Map<String, PostHandler> extraPostRoutes,
            long maxPostBodyBytes, EventLoopGroup sharedLoops) {
        boolean own = sharedLoops == null;
        boolean epoll = own ? Epoll.isAvailable()
                : sharedLoops instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup group = own ? new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS,
                new DefaultThreadFactory("api-http", false),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory()) : sharedLoops;
        // Closing the listening channel leaves accepted connections open; on shared loops nothing
        // else would close them, so the server keeps track of them.
        ChannelGroup connections = new DefaultChannelGroup("api-http-connections", GlobalEventExecutor.INSTANCE);
        OffloadedPostRoutes offloaded = new OffloadedPostRoutes(extraPostRoutes);
        Map<String, PostHandler> extra = offloaded.routes();
        int maxBody = (int) Math.min(maxPostBodyBytes, Integer.MAX_VALUE - 16);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(serverChannel)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ch.pipeline()
                                    .addLast("idle", new IdleStateHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS))
                                    .addLast("codec", new HttpServerCodec(decoder))
                                    .addLast("continue", new HttpServerExpectContinueHandler())
                                    .addLast("gzip", new HttpContentCompressor(COMPRESSION_THRESHOLD_BYTES,
                                            StandardCompressionOptions.gzip()))
                                    .addLast("api", new HttpConnection(api, extra, maxBody));
                        }
                    })
                    .bind(port)
                    .syncUninterruptibly()
                    .channel();
            log.debug("HTTP server on port {} ({} transport)", ((InetSocketAddress) channel.localAddress()).getPort(),
                    epoll ? "epoll" : "nio");
            return new NettyHttpServer(group, own, channel, connections, offloaded);
        } catch (RuntimeException e) {
            offloaded.close();
            if (own) group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Blocks until the server is closed. */
    public void awaitClose() {
        channel.closeFuture().awaitUninterruptibly();
    }

    /** Stops listening and closes every connection; requests still in flight are not answered. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        postRoutes.close();
        if (ownGroup) group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
