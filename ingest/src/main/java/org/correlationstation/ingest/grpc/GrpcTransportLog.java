package org.correlationstation.ingest.grpc;

import io.grpc.Status;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.correlationstation.ingest.metrics.IngestMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * grpc-java logs every message it cannot deframe (over {@code OTLP_MAX_BODY_BYTES} on the wire, a
 * malformed frame header) through java.util.logging as {@code WARNING: Exception processing message}
 * with an 18-line stack trace, in another format than ours: any client could flood the log. This
 * handler takes that logger's records instead: one line per cause (the gRPC status code) in our log,
 * at most one per {@link #WINDOW_NANOS} with the count of those suppressed since, and every one counted
 * in {@code ingest_grpc_refused_messages_total{code}}.
 *
 * <p>The JUL logger is JVM-wide, and its record does not say which server refused the message: every
 * ingest server of the JVM counts it (a deployment runs one; tests may run several).
 */
final class GrpcTransportLog extends Handler {
    /** grpc-netty-shaded's logger of {@code NettyServerStream.TransportState.deframeFailed}. */
    static final String GRPC_LOGGER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream";
    static final long WINDOW_NANOS = 10_000_000_000L;

    private static final Logger log = LoggerFactory.getLogger(GrpcTransportLog.class);
    /** Held strongly: JUL keeps loggers weakly, and a collected one would forget this handler. */
    private static final java.util.logging.Logger GRPC = java.util.logging.Logger.getLogger(GRPC_LOGGER);
    private static final GrpcTransportLog INSTANCE = new GrpcTransportLog(System::nanoTime);
    private static final Set<IngestMetrics> METRICS = ConcurrentHashMap.newKeySet();
    private static boolean installed;

    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** Per cause: when its last line was written and how many were refused without one since. */
    private static final class Window {
        long loggedAt;
        boolean logged;
        long suppressed;
    }

    GrpcTransportLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Routes grpc's records here (once per JVM) and counts them in {@code metrics} until {@link #unregister}. */
    static synchronized void register(IngestMetrics metrics) {
        if (!installed) {
            GRPC.setUseParentHandlers(false);
            GRPC.addHandler(INSTANCE);
            installed = true;
        }
        METRICS.add(metrics);
    }

    static void unregister(IngestMetrics metrics) {
        METRICS.remove(metrics);
    }

    /** Starts every cause's window afresh: for tests, whose earlier servers' refusals share the JVM's windows. */
    static void forgetWindows() {
        INSTANCE.windows.clear();
    }

    @Override
    public void publish(LogRecord record) {
        Throwable thrown = record.getThrown();
        Status status = thrown == null ? Status.UNKNOWN.withDescription(record.getMessage()) : Status.fromThrowable(thrown);
        String code = status.getCode().name();
        for (IngestMetrics m : METRICS) m.grpcRefusedMessage(code);
        Window w = windows.computeIfAbsent(code, c -> new Window());
        long suppressed;
        synchronized (w) {
            long now = nanoClock.getAsLong();
            if (w.logged && now - w.loggedAt < WINDOW_NANOS) {
                w.suppressed++;
                return;
            }
            suppressed = w.suppressed;
            w.logged = true;
            w.loggedAt = now;
            w.suppressed = 0;
        }
        String description = status.getDescription() == null ? "no description"
                : status.getDescription().replaceAll("[\\r\\n]+", " ");
        log.warn("gRPC message refused before it reached the service: {} ({}){}", code, description,
                suppressed == 0 ? "" : "; " + suppressed + " more like it since the last such line"
                        + " (at most one per " + WINDOW_NANOS / 1_000_000_000L + " s)");
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
