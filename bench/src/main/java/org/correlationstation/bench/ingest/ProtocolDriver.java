package org.correlationstation.bench.ingest;

import java.net.URI;
import org.correlationstation.bench.api.ConstantRateClient;
import org.correlationstation.bench.ingest.IngestReport.Protocol;

/**
 * Runs of one protocol against the ingest service: saturated (rate 0) for some seconds, or at a rate
 * for some seconds. Each run takes the pool's next requests, so no two runs send the same traces.
 */
abstract class ProtocolDriver implements AutoCloseable {
    /** Connections and calls in flight: see bench/README.md "Ingest". */
    record Shape(int connections, int rateConnections, int grpcChannels, int grpcInFlight) {}

    protected final RequestPool pool;
    private long next;

    ProtocolDriver(RequestPool pool, long first) {
        this.pool = pool;
        this.next = first;
    }

    /** The index of the next request a run would send: where the next driver should start. */
    long next() {
        return next;
    }

    ConstantRateClient.Result run(double eventsPerSecond, long seconds) throws Exception {
        ConstantRateClient.Result r = eventsPerSecond == 0 ? saturate(next, seconds)
                : atRate(next, eventsPerSecond / pool.eventsPerRequest(), Math.round(eventsPerSecond / pool.eventsPerRequest() * seconds));
        next += r.sent();
        return r;
    }

    abstract ConstantRateClient.Result saturate(long first, long seconds) throws Exception;

    abstract ConstantRateClient.Result atRate(long first, double requestsPerSecond, long requests) throws Exception;

    @Override
    public abstract void close() throws Exception;

    static ProtocolDriver of(Protocol protocol, RequestPool pool, long first, int httpPort, int grpcPort, Shape shape) throws Exception {
        return protocol == Protocol.GRPC ? new Grpc(pool, first, grpcPort, shape)
                : new Http(pool, first, protocol == Protocol.HTTP_JSON ? RequestPool.Encoding.JSON : RequestPool.Encoding.PROTOBUF,
                        httpPort, shape);
    }

    private static final class Grpc extends ProtocolDriver {
        private final GrpcLoad grpc;
        private final int inFlight;

        Grpc(RequestPool pool, long first, int port, Shape shape) throws InterruptedException {
            super(pool, first);
            this.grpc = new GrpcLoad("127.0.0.1", port, shape.grpcChannels());
            this.inFlight = shape.grpcInFlight();
        }

        @Override
        ConstantRateClient.Result saturate(long first, long seconds) throws InterruptedException {
            return grpc.saturate(pool, first, inFlight, seconds);
        }

        @Override
        ConstantRateClient.Result atRate(long first, double requestsPerSecond, long requests) throws InterruptedException {
            return grpc.run(pool, first, requestsPerSecond, requests);
        }

        @Override
        public void close() throws InterruptedException {
            grpc.close();
        }
    }

    /** Closed loops over a few connections, fixed rates over more (a stall makes requests wait for one). */
    private static final class Http extends ProtocolDriver {
        private final RequestPool.Encoding encoding;
        private final URI uri;
        private final ConstantRateClient saturating;
        private final ConstantRateClient constant;

        Http(RequestPool pool, long first, RequestPool.Encoding encoding, int port, Shape shape) {
            super(pool, first);
            this.encoding = encoding;
            this.uri = URI.create("http://127.0.0.1:" + port);
            this.saturating = new ConstantRateClient(uri, shape.connections());
            this.constant = new ConstantRateClient(uri, shape.rateConnections());
        }

        @Override
        ConstantRateClient.Result saturate(long first, long seconds) {
            return saturating.saturate(HttpPosts.of(pool, first, encoding, uri.getRawAuthority()), seconds);
        }

        @Override
        ConstantRateClient.Result atRate(long first, double requestsPerSecond, long requests) {
            return constant.run(HttpPosts.of(pool, first, encoding, uri.getRawAuthority()), requestsPerSecond, requests);
        }

        @Override
        public void close() {
            saturating.close();
            constant.close();
        }
    }
}
