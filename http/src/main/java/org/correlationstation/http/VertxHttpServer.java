package org.correlationstation.http;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.transport.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the query API and of the ingest service: Vert.x core's {@link HttpServer} (HTTP/1.1 on netty, native epoll transport
 * where available), each request served by {@link VertxExchange}. Vert.x parses, keeps the
 * connection's state (keep-alive, pipelining in request order, 100-continue, idle close, gzip) and
 * answers malformed requests through our {@link VertxExchange#invalid handler}; what HTTP/1.1 leaves
 * to the application stays ours: bodies of routes that take none, the body-read timeout, the extra
 * POST routes' bodies, and closing without losing the last answer ({@link LingeringClose}).
 *
 * <p><b>Event loops.</b> Vert.x serves the connections of a listening server on the event loop of the
 * context it was started from; one server per event loop, all on the same port (Vert.x shares the
 * socket), spreads them. Those contexts are built on {@code sharedLoops} when given (over Redis: the
 * store's lettuce I/O threads), else on the Vert.x instance's own {@link #EVENT_LOOP_THREADS} loops.
 */
public final class VertxHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VertxHttpServer.class);

    /**
     * Event-loop threads of a server with loops of its own (the target machine has two cores; more
     * loops than cores only add context switches). Over Redis the server runs on the store's I/O
     * threads instead (see {@link #start}).
     */
    static final int EVENT_LOOP_THREADS = 2;
    /**
     * Longest request line: a target up to this reaches the service (the API answers 414 beyond its own
     * 8 KiB, with its trace context); beyond this the parser refuses it ({@link HttpService#transportError} 414).
     */
    static final int MAX_REQUEST_LINE_BYTES = 16 * 1024;
    /** All request headers together; beyond: 431. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Responses from this size on are gzipped when the client accepts gzip (what Javalin did before). */
    public static final int COMPRESSION_THRESHOLD_BYTES = 1500;
    /**
     * A connection that sent nothing for this long is closed (Jetty's default idle timeout). Reads
     * only: watching writes too would add a listener to every response.
     */
    public static final int IDLE_SECONDS = 30;
    /** How long {@link #close()} waits for the answers of requests in flight. */
    static final int SHUTDOWN_GRACE_SECONDS = 5;

    private final Vertx vertx;
    private final List<HttpServer> servers;
    private final int port;
    private final OffloadedPostRoutes postRoutes;
    private final AtomicBoolean stopping;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private VertxHttpServer(Vertx vertx, List<HttpServer> servers, int port, OffloadedPostRoutes postRoutes,
            AtomicBoolean stopping) {
        this.vertx = vertx;
        this.servers = servers;
        this.port = port;
        this.postRoutes = postRoutes;
        this.stopping = stopping;
    }

    /**
     * Listens on {@code port} (0: a free one) on every interface.
     *
     * @param service answers every request but the POST routes'
     * @param postRoutes POST routes served with their bodies, before the service's routes
     * @param sharedLoops event loops to serve connections on instead of {@link #EVENT_LOOP_THREADS} of
     *     the server's own (not shut down by {@link #close()}), or null. The Redis store's: a request
     *     then parses, sends its command, gets the reply and writes its response on one thread, where
     *     separate loops hand the command to the store's thread and the reply back (two wake-ups of
     *     another thread per request), and the two cores run two busy threads instead of four.
     */
    public static VertxHttpServer start(int port, HttpService service, PostRoutes postRoutes,
            EventLoopGroup sharedLoops) {
        boolean own = sharedLoops == null;
        // The accepting loop (Vert.x's) and the serving loops (maybe lettuce's) must be of one transport:
        // an accepted epoll channel can only be served by an epoll loop.
        boolean epoll = own ? Transport.EPOLL != null && Transport.EPOLL.available()
                : sharedLoops instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setEventLoopPoolSize(own ? EVENT_LOOP_THREADS : 1) // shared: only for Vert.x's chores
                        .setWorkerPoolSize(1) // nothing runs there; the extra POST routes have their pool
                        .setInternalBlockingPoolSize(1)
                        .setDisableTCCL(true) // no context class loader switch per event on foreign threads
                        .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                                .setClassPathResolvingEnabled(false)))
                .withTransport(epoll ? Transport.EPOLL : Transport.NIO)
                .build();
        OffloadedPostRoutes offloaded = new OffloadedPostRoutes(postRoutes);
        AtomicBoolean stopping = new AtomicBoolean();
        VertxExchange.Config config = new VertxExchange.Config(service, offloaded.routes(),
                (int) Math.min(postRoutes.maxBodyBytes(), Integer.MAX_VALUE - 16), stopping);
        HttpServerOptions options = new HttpServerOptions()
                .setHost("0.0.0.0")
                .setAcceptBacklog(1024)
                .setReuseAddress(true)
                .setTcpNoDelay(true)
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setReadIdleTimeout(IDLE_SECONDS)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setCompressionSupported(true)
                .setCompressionContentSizeThreshold(COMPRESSION_THRESHOLD_BYTES)
                .addCompressor(StandardCompressionOptions.gzip())
                .setHandle100ContinueAutomatically(true)
                // h2c would put an upgrade handler before every HTTP/1.1 message and sniff each new
                // connection for the HTTP/2 preface; OTLP/HTTP exporters and the API's clients speak HTTP/1.1.
                .setHttp2ClearTextEnabled(false);
        List<HttpServer> servers = new ArrayList<>();
        try {
            List<EventLoop> loops = new ArrayList<>();
            for (EventExecutor e : own ? ((VertxInternal) vertx).nettyEventLoopGroup() : sharedLoops) {
                loops.add((EventLoop) e);
            }
            // Port 0 is a free port per server; a negative one is Vert.x's "a free port, shared by the
            // servers listening on this same number".
            int listenPort = port == 0 ? -1 : port;
            int bound = port;
            for (EventLoop loop : loops) {
                // A context on that loop (Vert.x's internal API: there is no public one to run on
                // foreign event loops); a server listening from it serves its connections there.
                ContextInternal context = ((VertxInternal) vertx).contextBuilder().withEventLoop(loop).build();
                HttpServer server = vertx.createHttpServer(options)
                        .requestHandler(request -> VertxExchange.serve(request, config))
                        .invalidRequestHandler(request -> VertxExchange.invalid(request, config))
                        .exceptionHandler(VertxHttpServer::connectionFailed)
                        .connectionHandler(connection -> strictParser(connection, options));
                servers.add(server);
                CompletableFuture<HttpServer> listening = new CompletableFuture<>();
                // The first binds; the others join it (Vert.x's shared servers).
                context.runOnContext(v -> server.listen(listenPort).onComplete((s, e) -> {
                    if (e == null) listening.complete(s);
                    else listening.completeExceptionally(e);
                }));
                bound = listening.join().actualPort();
            }
            log.debug("HTTP server on port {} ({} transport, {} event loops{})", bound, epoll ? "epoll" : "nio",
                    loops.size(), own ? "" : ", shared");
            return new VertxHttpServer(vertx, servers, bound, offloaded, stopping);
        } catch (RuntimeException e) {
            offloaded.close();
            vertx.close().toCompletionStage().toCompletableFuture().join();
            throw e;
        }
    }

    /**
     * On a new connection, before it reads: Vert.x's parser replaced by {@link StrictRequestDecoder}.
     * Vert.x's connection is the netty channel's handler ({@code ConnectionBase}, outside its public API).
     */
    private static void strictParser(HttpConnection connection, HttpServerOptions options) {
        if (!(connection instanceof ConnectionBase c)) return;
        ChannelPipeline pipeline = c.channelHandlerContext().pipeline();
        if (pipeline.get("httpDecoder") != null) {
            pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options));
        }
    }

    private static void connectionFailed(Throwable t) {
        if (!(t instanceof IOException)) log.debug("HTTP connection failed", t);
    }

    public int port() {
        return port;
    }

    /** Blocks until the server is closed. */
    public void awaitClose() {
        closed.join();
    }

    /**
     * Stops listening, answers the requests in flight (for at most {@link #SHUTDOWN_GRACE_SECONDS}: an
     * ingestion request is acknowledged once Kafka stored it, and one cut off would be sent again),
     * then closes every connection.
     */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            closed.join();
            return;
        }
        try {
            for (HttpServer server : servers) {
                server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture().join();
            }
            postRoutes.close();
            // Vert.x's own loops and threads; shared loops are not its to stop.
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("closing the HTTP server: {}", e.toString());
        } finally {
            closed.complete(null);
        }
    }
}
