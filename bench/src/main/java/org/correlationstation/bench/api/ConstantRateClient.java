package org.correlationstation.bench.api;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The engine of {@link ConstantRateLoad}: GET {@code <url>/api/correlations?trace_id=<id>} at a fixed
 * rate over keep-alive connections, one request in flight per connection. Other benchmarks hand it
 * their own {@link Requests} (the ingest bench: pre-encoded OTLP POSTs), at a fixed rate or
 * {@linkplain #saturate closed-loop}.
 *
 * <p>Everything runs on one event-loop thread and every field below is touched only there: no locks,
 * no hand-offs between threads, and on a machine the driver shares with the server, one core's worth
 * of driver at most. A request is due at {@code start + i * period}; when it finds no idle connection
 * it waits its turn (a counter, not a queue of objects: requests are due in index order) while a new
 * connection opens, up to the limit. Its latency runs from the due time either way.
 */
public final class ConstantRateClient implements AutoCloseable {
    /** An unanswered request (waiting or in flight) fails with status 0 after this long. */
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** After the last request was due, the run waits at most this long for the stragglers. */
    static final long STRAGGLER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(15);
    /** Timeouts are looked for this often: they only need to be right to within a fraction of 10 s. */
    private static final long EXPIRY_SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The API's answers are a few KiB; anything far larger is a fault, counted as status 0. */
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    /**
     * Outcome of one run; {@code latencyMicros} holds every completed request, errors included.
     * {@code okUnits}: the {@linkplain Requests#units units} of the requests answered 2xx;
     * {@code elapsedNanos}: from the start to the last answer (or the end of the wait for stragglers).
     */
    public record Result(long sent, long completed, long errors, SortedMap<Integer, Long> errorsByStatus,
            Histogram latencyMicros, long okUnits, long elapsedNanos) {}

    /** What a run sends: request {@code i} (from 0, in order), built when it goes out. */
    public interface Requests {
        /** A new request each call: the connection writes it and releases its content. */
        FullHttpRequest request(long i);

        /** What a 2xx answer to request {@code i} counts for in {@link Result#okUnits} (e.g. its events). */
        default long units(long i) {
            return 1;
        }
    }

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final String pathPrefix;
    /** Shared by every lookup: the encoder only reads them. */
    private final HttpHeaders headers;
    private final int maxConnections;

    private final List<Connection> open = new ArrayList<>();
    /** Last-in first-out: the connections in use stay few and warm. */
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private int connecting;
    private Run run;

    public ConstantRateClient(URI base, int maxConnections) {
        if (!"http".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("expected an http://host[:port] URL, got " + base);
        }
        if (maxConnections < 1) throw new IllegalArgumentException("connections must be at least 1");
        this.maxConnections = maxConnections;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.pathPrefix = (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + "/api/correlations?trace_id=";
        this.headers = new DefaultHttpHeaders().set(HttpHeaderNames.HOST, base.getRawAuthority());
        InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort());
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("load-driver", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS))
                .remoteAddress(address)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                                new Connection(ch));
                    }
                });
    }

    /**
     * Sends {@code rate * seconds} lookups, cycling through {@code ids}, and returns once all are
     * answered or {@link #STRAGGLER_WAIT_NANOS} after the last was due. Connections stay open for the
     * next run; one run at a time.
     */
    Result run(List<String> ids, long rate, long seconds) {
        if (rate < 1 || rate > 1_000_000_000L) throw new IllegalArgumentException("rate must be in 1..1e9 per second");
        if (ids.isEmpty()) throw new IllegalArgumentException("no ids");
        String[] uris = ids.stream().map(id -> pathPrefix + id).toArray(String[]::new);
        return run(i -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uris[(int) (i % uris.length)],
                Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE), rate, rate * seconds);
    }

    /**
     * Sends requests 0 … {@code total - 1} at {@code ratePerSecond} (request {@code i} is due at
     * {@code start + i / rate}, its latency counted from then), and returns once all are answered or
     * {@link #STRAGGLER_WAIT_NANOS} after the last was due.
     */
    public Result run(Requests requests, double ratePerSecond, long total) {
        if (!(ratePerSecond > 0) || ratePerSecond > 1e9) throw new IllegalArgumentException("rate must be in (0, 1e9] per second");
        long period = Math.max(1, Math.round(1e9 / ratePerSecond));
        if (total <= 0) return new Result(0, 0, 0, new TreeMap<>(), new Histogram(3), 0, 0);
        return start(requests, period, total, 0);
    }

    /**
     * Closed loop: every connection (all {@code maxConnections}, opened at once) sends its next request as
     * soon as the last is answered, for {@code seconds}; then the requests in flight are awaited. The
     * latency is each request's own round trip (there is no schedule), the throughput what the server
     * keeps up with.
     */
    public Result saturate(Requests requests, long seconds) {
        return saturate(requests, Long.MAX_VALUE, seconds);
    }

    /** A closed loop that stops after {@code total} requests (or {@code maxSeconds}, whichever comes first). */
    public Result saturate(Requests requests, long total, long maxSeconds) {
        if (maxSeconds < 1) throw new IllegalArgumentException("seconds must be at least 1");
        if (total <= 0) return new Result(0, 0, 0, new TreeMap<>(), new Histogram(3), 0, 0);
        return start(requests, 0, total, TimeUnit.SECONDS.toNanos(maxSeconds));
    }

    private Result start(Requests requests, long period, long total, long closedLoopNanos) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (run != null) {
                done.completeExceptionally(new IllegalStateException("a run is in progress"));
                return;
            }
            run = new Run(requests, period, total, closedLoopNanos, done);
            run.tick.run();
        });
        return done.join();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One run's schedule and counts. */
    private final class Run {
        final Requests requests;
        final long start = System.nanoTime();
        /** Nanoseconds between due times; 0 in a closed loop. */
        final long period;
        final long total;
        /** A closed loop's end: no request is sent after it. */
        final long deadline;
        final boolean closedLoop;
        final CompletableFuture<Result> done;
        final Recorder latencyMicros = new Recorder(3);
        final Map<Integer, Long> errorsByStatus = new HashMap<>();
        final Runnable tick = this::tick;
        /** Index of the oldest request not yet on a connection: from here to {@link #due} they wait. */
        long next;
        /**
         * Requests lost with a reused keep-alive connection the server closed as they were sent (its idle
         * timeout): sent again, once, as HTTP clients do with idempotent requests (RFC 9112 §9.3.1),
         * their latency still counted from their due time. They go before the waiting ones.
         */
        final ArrayDeque<Long> resend = new ArrayDeque<>();
        long completed;
        long errors;
        long okUnits;
        long lastAnswer = start;
        long lastExpiryScan = start;
        boolean finished;

        Run(Requests requests, long period, long total, long closedLoopNanos, CompletableFuture<Result> done) {
            this.requests = requests;
            this.period = period;
            this.total = total;
            this.closedLoop = period == 0;
            this.deadline = start + closedLoopNanos;
            this.done = done;
        }

        /** When request {@code i} was due; in a closed loop, when it was sent (see {@link Connection#since}). */
        long intended(long i) {
            return start + i * period;
        }

        /** How many requests are due by {@code now}; in a closed loop, all of them until the deadline. */
        long due(long now) {
            if (closedLoop) return now < deadline ? total : next;
            return Math.min(total, (now - start) / period + 1);
        }

        /** A closed loop is over once its deadline passed and every request sent was answered. */
        boolean drained(long now) {
            return closedLoop && now - deadline >= 0 && completed == next && resend.isEmpty();
        }

        /**
         * Hands the due requests to idle connections, opens connections for those left waiting, and
         * wakes up again when the next request is due (every {@link #EXPIRY_SCAN_NANOS} once all were).
         */
        void tick() {
            if (finished) return;
            long now = System.nanoTime();
            dispatch(now);
            if (now - lastExpiryScan >= EXPIRY_SCAN_NANOS) {
                lastExpiryScan = now;
                expire(now);
            }
            if (finished) return;
            if (closedLoop) {
                if (drained(now) || now - deadline >= STRAGGLER_WAIT_NANOS) finish();
                else loop.schedule(tick, now < deadline ? Math.min(EXPIRY_SCAN_NANOS, deadline - now) : EXPIRY_SCAN_NANOS,
                        TimeUnit.NANOSECONDS);
                return;
            }
            long due = due(now);
            if (due < total) {
                loop.schedule(tick, intended(due) - now, TimeUnit.NANOSECONDS);
            } else if (now - intended(total - 1) >= STRAGGLER_WAIT_NANOS) {
                finish();
            } else {
                loop.schedule(tick, EXPIRY_SCAN_NANOS, TimeUnit.NANOSECONDS);
            }
        }

        void dispatch(long now) {
            while (!resend.isEmpty()) {
                Connection c = idle.pollLast();
                if (c == null) {
                    if (connecting == 0 && open.size() < maxConnections) connect();
                    return;
                }
                long i = resend.poll();
                c.send(this, i, sinceOf(i, now), true);
            }
            long due = due(now);
            while (next < due) {
                Connection c = idle.pollLast();
                if (c == null) {
                    long waiting = due - next;
                    while (connecting < waiting && open.size() + connecting < maxConnections) connect();
                    return;
                }
                long i = next++;
                c.send(this, i, sinceOf(i, now), false);
            }
        }

        /** What request {@code i}'s latency counts from: its due time, or in a closed loop its (re)send. */
        long sinceOf(long i, long now) {
            return closedLoop ? now : intended(i);
        }

        /** Fails what has waited longer than {@link #TIMEOUT_NANOS}, closing the connections concerned. */
        void expire(long now) {
            long oldestAllowed = now - TIMEOUT_NANOS;
            for (Connection c : open.toArray(new Connection[0])) {
                if (c.run == this && c.since < oldestAllowed) {
                    long since = c.since;
                    complete(c.release(), since, 0, now);
                    c.channel.close();
                }
            }
            if (closedLoop) return; // nothing waits in a closed loop but resends, sent as soon as a connection is back
            while (!resend.isEmpty() && intended(resend.peek()) < oldestAllowed) {
                long i = resend.poll();
                complete(i, intended(i), 0, now);
            }
            long due = due(now);
            while (next < due && intended(next) < oldestAllowed) {
                long i = next++;
                complete(i, intended(i), 0, now);
            }
        }

        /** Records request {@code i} answered (or failed, status 0) at {@code now}; latency from {@code since}. */
        void complete(long i, long since, int status, long now) {
            if (finished) return;
            latencyMicros.recordValue(Math.max(0, now - since) / 1000);
            if (status / 100 == 2) {
                okUnits += requests.units(i);
            }
            if (status != 200) {
                errors++;
                errorsByStatus.merge(status, 1L, Long::sum);
            }
            lastAnswer = now;
            if (++completed == total || drained(now)) finish();
        }

        /** Ends the run: what is still in flight is abandoned with its connection. */
        void finish() {
            finished = true;
            run = null;
            for (Connection c : open.toArray(new Connection[0])) {
                if (c.run == this) {
                    c.release();
                    c.channel.close();
                }
            }
            long sent = closedLoop ? next : total;
            long end = completed == sent ? lastAnswer : System.nanoTime();
            done.complete(new Result(sent, completed, errors, new TreeMap<>(errorsByStatus),
                    latencyMicros.getIntervalHistogram(), okUnits, end - start));
        }
    }

    private void connect() {
        connecting++;
        bootstrap.connect().addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) return; // counted in channelActive
            connecting--;
            Run r = run;
            long now = System.nanoTime();
            // A refused connection fails the oldest waiting request: a server that is down shows as
            // errors at the offered rate, not as a 10 s timeout for each request.
            if (r != null && !r.closedLoop && r.next < r.due(now)) {
                long i = r.next++;
                r.complete(i, r.intended(i), 0, now);
            }
        });
    }

    /** A connection with nothing in flight takes the oldest waiting request, or waits itself. */
    private void ready(Connection c) {
        Run r = run;
        if (r != null) {
            long now = System.nanoTime();
            if (!r.resend.isEmpty()) {
                long i = r.resend.poll();
                c.send(r, i, r.sinceOf(i, now), true);
                return;
            }
            if (r.next < r.due(now)) {
                long i = r.next++;
                c.send(r, i, r.sinceOf(i, now), false);
                return;
            }
        }
        idle.addLast(c);
    }

    /** One keep-alive connection and its request in flight, if any. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final Channel channel;
        /** The run of the request in flight; null when idle. */
        Run run;
        long request;
        /** What the latency of the request in flight counts from (see {@link Run#sinceOf}). */
        long since;
        /** Whether the request in flight is already a second attempt. */
        boolean resent;
        /** Whether an answer came on this connection: a close before the next answer may be its idle timeout. */
        boolean answered;

        Connection(Channel channel) {
            this.channel = channel;
        }

        void send(Run r, long i, long since, boolean again) {
            run = r;
            request = i;
            this.since = since;
            resent = again;
            channel.writeAndFlush(r.requests.request(i), channel.voidPromise());
        }

        /** Forgets the request in flight and returns its index. */
        long release() {
            run = null;
            return request;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connecting--;
            open.add(this);
            ready(this);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpResponse response)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            boolean ok = response.decoderResult().isSuccess();
            int status = ok ? response.status().code() : 0;
            boolean keepAlive = ok && HttpUtil.isKeepAlive(response);
            response.release();
            Run r = run;
            if (r == null) { // nothing asked: the server is confused, or this answers an abandoned request
                ctx.close();
                return;
            }
            answered = true;
            long from = since;
            r.complete(release(), from, status, System.nanoTime());
            if (keepAlive) ready(this);
            else ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the request in flight fails in channelInactive
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.remove(this);
            idle.remove(this);
            long now = System.nanoTime();
            Run r = run;
            if (r != null) {
                boolean again = answered && !resent;
                long from = since;
                long i = release();
                if (again) r.resend.add(i);
                else r.complete(i, from, 0, now);
            }
            Run current = ConstantRateClient.this.run;
            if (current != null) current.dispatch(now); // replaces the connection if requests wait
            ctx.fireChannelInactive();
        }
    }
}
