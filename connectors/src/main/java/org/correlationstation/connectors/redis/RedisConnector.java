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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One lettuce connection per writer, opened lazily and asynchronously so that a writer starts (and
 * the job runs) while Redis is down: a failed connect just fails the batch that asked for it, which
 * is retried. Once connected, lettuce reconnects by itself; meanwhile commands are rejected at once
 * (instead of queueing without bound) and fail over to the sink's backoff.
 */
final class RedisConnector implements AutoCloseable {
    private static final int MIN_THREADS = 2;

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;
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

    /** The async commands of the connection, connecting first when there is none (or the last attempt failed). */
    synchronized CompletionStage<RedisClusterAsyncCommands<String, String>> commands() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis connector closed"));
        }
        if (connection == null || connection.isCompletedExceptionally()) {
            connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        return connection.thenApply(StatefulRedisConnection::async);
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
        CompletableFuture<StatefulRedisConnection<String, String>> current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = connection;
        }
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
            current.join().close();
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
