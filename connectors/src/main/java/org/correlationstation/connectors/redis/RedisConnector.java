package org.correlationstation.connectors.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A writer's lettuce connections, opened lazily and asynchronously so that a writer starts (and the
 * job runs) while Redis is down: a failed connect just fails the batch that asked for it, which is
 * retried. Once connected, lettuce reconnects by itself; meanwhile commands are rejected at once
 * (instead of queueing without bound) and fail over to the sink's backoff.
 *
 * <p>Two connections: {@link #pipeline()} for the record batches, flushed once per batch, and
 * {@link #commands()}, flushed per command, for the index trimmer, whose commands each wait for the
 * last one's reply.
 */
final class RedisConnector implements AutoCloseable {
    private static final int MIN_THREADS = 2;

    /**
     * Async commands on a connection that does not flush each command (lettuce's
     * {@code setAutoFlushCommands(false)}): whoever issues commands on it runs {@code flush} afterwards,
     * and they reach Redis in one write. Flushed per command, a batch of a few hundred records cost a
     * socket write and an event-loop wake-up per command here and a read per command in Redis.
     */
    record Pipeline(RedisClusterAsyncCommands<String, String> commands, Runnable flush) {}

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private CompletableFuture<StatefulRedisConnection<String, String>> pipelined;
    private boolean closed;

    RedisConnector(RedisSinkOptions options) {
        this.uri = RedisURI.create(options.redisUri());
        this.uri.setTimeout(options.requestTimeout());
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(MIN_THREADS)
                .computationThreadPoolSize(MIN_THREADS)
                .reconnectDelay(Delay.exponential(
                        Duration.ofMillis(10), options.maxRetryDelay(), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(options.requestTimeout()))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(options.requestTimeout())
                        .keepAlive(true)
                        .build())
                .build());
    }

    /**
     * The async commands of the connection that flushes each command, connecting first when there is none
     * (or the last attempt failed).
     */
    synchronized CompletionStage<RedisClusterAsyncCommands<String, String>> commands() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis connector closed"));
        }
        if (connection == null || connection.isCompletedExceptionally()) {
            connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        return connection.thenApply(StatefulRedisConnection::async);
    }

    /** The connection that leaves flushing to its user, connecting first as {@link #commands()} does. */
    synchronized CompletionStage<Pipeline> pipeline() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis connector closed"));
        }
        if (pipelined == null || pipelined.isCompletedExceptionally()) {
            // Set before the connection is handed to anyone: the setting is a plain field of lettuce's endpoint.
            pipelined = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture().thenApply(c -> {
                c.setAutoFlushCommands(false);
                return c;
            });
        }
        return pipelined.thenApply(c -> new Pipeline(c.async(), c::flushCommands));
    }

    /** Lettuce's event executors: where backoff delays and trim rounds are scheduled, off the task thread. */
    ScheduledExecutorService scheduler() {
        return resources.eventExecutorGroup();
    }

    /** host:port for logs, never the password. */
    String endpoint() {
        return RedisSinkOptions.endpointOf(uri);
    }

    @Override
    public void close() {
        List<CompletableFuture<StatefulRedisConnection<String, String>>> current = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current.add(connection);
            current.add(pipelined);
        }
        for (CompletableFuture<StatefulRedisConnection<String, String>> c : current) {
            if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
                c.join().close();
            }
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
