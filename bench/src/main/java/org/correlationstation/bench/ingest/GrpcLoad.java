package org.correlationstation.bench.ingest;

import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.Drainable;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.correlationstation.bench.api.ConstantRateClient;
import org.correlationstation.bench.load.Signal;

/**
 * OTLP/gRPC {@code Export} calls from a {@link RequestPool}, over {@code channels} gRPC channels (one
 * HTTP/2 connection each), with the request bodies as raw bytes: no OTel SDK and no protobuf objects
 * in the driver, whose CPU comes out of what it measures. Two ways, as {@link ConstantRateClient} for
 * HTTP: closed-loop ({@link #saturate}) and at a fixed rate with the latency counted from each call's
 * scheduled time ({@link #run}), calls never waiting for one another (HTTP/2 multiplexes them).
 * Errors are counted by gRPC status code (4 = DEADLINE_EXCEEDED after {@link #TIMEOUT_SECONDS}).
 */
public final class GrpcLoad implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 10;
    private static final MethodDescriptor<byte[], byte[]> TRACES = method("opentelemetry.proto.collector.trace.v1.TraceService/Export");
    private static final MethodDescriptor<byte[], byte[]> LOGS = method("opentelemetry.proto.collector.logs.v1.LogsService/Export");

    private final ManagedChannel[] channels;

    public GrpcLoad(String host, int port, int channels) throws InterruptedException {
        this.channels = new ManagedChannel[channels];
        for (int c = 0; c < channels; c++) {
            this.channels[c] = Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
                    .directExecutor() // the callbacks only count and start the next call
                    .build();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ManagedChannel channel : this.channels) {
            while (channel.getState(true) != ConnectivityState.READY) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("gRPC channel to " + host + ":" + port + " not ready");
                Thread.sleep(20);
            }
        }
    }

    /**
     * Closed loop for {@code seconds}: {@code inFlightPerChannel} calls on every channel, each answered
     * call followed at once by the next request of the pool (from request {@code first} on).
     */
    public ConstantRateClient.Result saturate(RequestPool pool, long first, int inFlightPerChannel, long seconds)
            throws InterruptedException {
        Tally tally = new Tally(pool, first);
        long deadline = tally.start + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong next = new AtomicLong();
        int loops = channels.length * inFlightPerChannel;
        CountDownLatch stopped = new CountDownLatch(loops);
        for (int l = 0; l < loops; l++) {
            ManagedChannel channel = channels[l % channels.length];
            new Runnable() {
                @Override
                public void run() {
                    if (System.nanoTime() - deadline >= 0) {
                        stopped.countDown();
                        return;
                    }
                    long i = next.getAndIncrement();
                    tally.sent.increment();
                    call(channel, pool, first + i, tally, System.nanoTime(), this);
                }
            }.run();
        }
        stopped.await(seconds + TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
        return tally.result();
    }

    /** {@code total} calls at {@code ratePerSecond}, round-robin over the channels; latency from each call's due time. */
    public ConstantRateClient.Result run(RequestPool pool, long first, double ratePerSecond, long total)
            throws InterruptedException {
        Tally tally = new Tally(pool, first);
        long period = Math.max(1, Math.round(1e9 / ratePerSecond));
        CountDownLatch answered = new CountDownLatch((int) total);
        for (long i = 0; i < total; i++) {
            long due = tally.start + i * period;
            long now;
            while ((now = System.nanoTime()) < due) LockSupport.parkNanos(due - now);
            tally.sent.increment();
            call(channels[(int) (i % channels.length)], pool, first + i, tally, due, answered::countDown);
        }
        answered.await(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
        return tally.result();
    }

    private static void call(ManagedChannel channel, RequestPool pool, long i, Tally tally, long since, Runnable then) {
        MethodDescriptor<byte[], byte[]> method = pool.signal(i) == Signal.SPANS ? TRACES : LOGS;
        ClientCalls.asyncUnaryCall(channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)),
                pool.body(i, RequestPool.Encoding.PROTOBUF), new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] response) {}

                    @Override
                    public void onError(Throwable t) {
                        tally.done(i, since, Status.fromThrowable(t).getCode().value());
                        then.run();
                    }

                    @Override
                    public void onCompleted() {
                        tally.done(i, since, Status.Code.OK.value());
                        then.run();
                    }
                });
    }

    /** Counts of one run, written from the channels' event loops. */
    private static final class Tally {
        final RequestPool pool;
        final long first;
        final long start = System.nanoTime();
        final LongAdder sent = new LongAdder();
        final LongAdder completed = new LongAdder();
        final LongAdder okEvents = new LongAdder();
        final AtomicLong lastAnswer = new AtomicLong(start);
        final ConcurrentHashMap<Integer, LongAdder> errors = new ConcurrentHashMap<>();
        final Recorder latencyMicros = new Recorder(3);

        Tally(RequestPool pool, long first) {
            this.pool = pool;
            this.first = first;
        }

        void done(long i, long since, int code) {
            long now = System.nanoTime();
            latencyMicros.recordValue(Math.max(0, now - since) / 1000);
            if (code == 0) okEvents.add(pool.events(i));
            else errors.computeIfAbsent(code, k -> new LongAdder()).increment();
            lastAnswer.accumulateAndGet(now, Math::max);
            completed.increment();
        }

        ConstantRateClient.Result result() {
            SortedMap<Integer, Long> byCode = new TreeMap<>();
            errors.forEach((code, n) -> byCode.put(code, n.sum()));
            long errorCount = byCode.values().stream().mapToLong(Long::longValue).sum();
            long end = completed.sum() == sent.sum() ? lastAnswer.get() : System.nanoTime();
            return new ConstantRateClient.Result(sent.sum(), completed.sum(), errorCount, byCode,
                    latencyMicros.getIntervalHistogram(), okEvents.sum(), end - start);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : channels) c.shutdownNow();
        for (ManagedChannel c : channels) c.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static MethodDescriptor<byte[], byte[]> method(String fullName) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullName)
                .setRequestMarshaller(Bytes.INSTANCE)
                .setResponseMarshaller(Bytes.INSTANCE)
                .build();
    }

    /** Bodies as they are: gRPC drains the stream into its frame in one copy (KnownLength, Drainable). */
    private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new BytesStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
