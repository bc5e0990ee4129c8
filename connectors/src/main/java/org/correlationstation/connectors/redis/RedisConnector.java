package org.correlationstation.connectors.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
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
import org.correlationstation.core.redis.RedisEndpoint;

/**
 * A writer's lettuce connections, opened lazily and asynchronously so that a writer starts (and the
 * job runs) while Redis is down: a failed connect just fails the batch that asked for it, which is
 * retried. Once connected, lettuce reconnects by itself; meanwhile commands are rejected at once
 * (instead of queueing without bound) and fail over to the sink's backoff.
 *
 * <p>{@code REDIS_URL} is read as the query API reads it ({@link RedisEndpoint}): standalone, Sentinel
 * ({@code redis-sentinel://}, the master found through the sentinels on every connect, so a
 * reconnect after a failover reaches the new primary) or Redis Cluster (several nodes or
 * {@code ?cluster=true}: lettuce routes each command by its key's slot, follows MOVED and ASK, and
 * refreshes its view of the cluster periodically and when a redirect or a lost connection says it
 * changed).
 *
 * <p>One connection, {@link #pipeline()}, for the record batches (flushed once per batch) and the index
 * trimmer (flushed once per step of a page).
 */
final class RedisConnector implements AutoCloseable {
    private static final int MIN_THREADS = 2;
    private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(30);

    /**
     * Async commands on a connection that does not flush each command (lettuce's
     * {@code setAutoFlushCommands(false)}): whoever issues commands on it runs {@code flush} afterwards,
     * and they reach Redis in one write. Flushed per command, a batch of a few hundred records cost a
     * socket write and an event-loop wake-up per command here and a read per command in Redis.
     */
    record Pipeline(StatefulConnection<String, String> connection) {
        RedisClusterAsyncCommands<String, String> commands() {
            return async(connection);
        }

        Runnable flush() {
            return connection::flushCommands;
        }
    }

    private final RedisEndpoint endpoint;
    private final Duration requestTimeout;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private CompletableFuture<StatefulConnection<String, String>> pipelined;
    private boolean closed;

    RedisConnector(RedisSinkOptions options) {
        this.endpoint = RedisEndpoint.parse(options.redisUri());
        this.requestTimeout = options.requestTimeout();
        for (RedisURI uri : endpoint.nodes()) uri.setTimeout(requestTimeout);
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(MIN_THREADS)
                .computationThreadPoolSize(MIN_THREADS)
                .reconnectDelay(Delay.exponential(
                        Duration.ofMillis(10), options.maxRetryDelay(), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(requestTimeout).keepAlive(true).build();
        if (endpoint.cluster()) {
            this.client = null;
            this.clusterClient = RedisClusterClient.create(resources, endpoint.nodes());
            this.clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(requestTimeout))
                    .socketOptions(socket)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
        } else {
            this.clusterClient = null;
            this.client = RedisClient.create(resources);
            this.client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(requestTimeout))
                    .socketOptions(socket)
                    .build());
        }
    }

    private CompletableFuture<StatefulConnection<String, String>> connect() {
        if (clusterClient != null) {
            // An async connect needs the topology loaded first (lettuce refuses it otherwise), and loading it
            // asynchronously keeps the task thread free while the cluster does not answer.
            return clusterClient.refreshPartitionsAsync().toCompletableFuture()
                    .thenCompose(loaded -> clusterClient.connectAsync(StringCodec.UTF8))
                    .thenApply(c -> (StatefulConnection<String, String>) c);
        }
        return client.connectAsync(StringCodec.UTF8, endpoint.nodes().get(0)).toCompletableFuture()
                .thenApply(c -> (StatefulConnection<String, String>) c);
    }

    private static RedisClusterAsyncCommands<String, String> async(StatefulConnection<String, String> c) {
        if (c instanceof StatefulRedisClusterConnection<String, String> cluster) return cluster.async();
        return ((StatefulRedisConnection<String, String>) c).async();
    }

    /** The connection that leaves flushing to its user, connecting first when there is none (or the last attempt failed). */
    synchronized CompletionStage<Pipeline> pipeline() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis connector closed"));
        }
        if (pipelined == null || pipelined.isCompletedExceptionally()) {
            // Set before the connection is handed to anyone: the setting is a plain field of lettuce's endpoint.
            pipelined = connect().thenApply(c -> {
                c.setAutoFlushCommands(false);
                return c;
            });
        }
        return pipelined.thenApply(Pipeline::new);
    }

    /**
     * Completes once every write sent so far on {@code pipeline} reached {@code replicas} replicas
     * ({@code WAIT}; on a cluster, on every primary, each for the writes this connection routed to it);
     * fails when one answered fewer within the request timeout, so that the batch is retried.
     */
    CompletionStage<Void> awaitReplicas(Pipeline pipeline, int replicas) {
        long timeout = requestTimeout.toMillis();
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        if (pipeline.connection() instanceof StatefulRedisClusterConnection<String, String> cluster) {
            List<CompletableFuture<StatefulRedisConnection<String, String>>> nodes = new ArrayList<>();
            for (RedisClusterNode node : cluster.getPartitions()) {
                // Every primary that serves slots in this connection's view, whatever its flags: writes are
                // routed by that view (a node flagged failed may be back and take them). One whose slots moved
                // to its replica is left out, or writes would wait for a node that may never come back.
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                    // By host and port: the connection the slot routing wrote through (WAIT counts only the
                    // writes of its own connection; lettuce keeps another one per node id).
                    nodes.add(cluster.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                            .toCompletableFuture());
                }
            }
            return CompletableFuture.allOf(nodes.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
                for (CompletableFuture<StatefulRedisConnection<String, String>> node : nodes) {
                    waits.add(node.join().async().waitForReplication(replicas, timeout).toCompletableFuture());
                }
                pipeline.flush().run();
                return replicated(waits, replicas);
            });
        }
        waits.add(pipeline.commands().waitForReplication(replicas, timeout).toCompletableFuture());
        pipeline.flush().run();
        return replicated(waits, replicas);
    }

    private static CompletableFuture<Void> replicated(List<CompletableFuture<Long>> waits, int replicas) {
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
            long fewest = Long.MAX_VALUE;
            for (CompletableFuture<Long> w : waits) fewest = Math.min(fewest, w.join());
            if (fewest < replicas) {
                return CompletableFuture.failedFuture(new IllegalStateException("WAIT " + replicas + ": a primary "
                        + "reached only " + fewest + " replica(s) in time (REDIS_WAIT_REPLICAS)"));
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Lettuce's event executors: where backoff delays and trim rounds are scheduled, off the task thread. */
    ScheduledExecutorService scheduler() {
        return resources.eventExecutorGroup();
    }

    /** Standalone, sentinel or cluster with hosts and ports, for logs: never the password. */
    String endpoint() {
        return endpoint.describe();
    }

    @Override
    public void close() {
        List<CompletableFuture<StatefulConnection<String, String>>> current = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current.add(pipelined);
        }
        for (CompletableFuture<StatefulConnection<String, String>> c : current) {
            if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
                c.join().close();
            }
        }
        if (client != null) client.shutdown(0, 2, TimeUnit.SECONDS);
        if (clusterClient != null) clusterClient.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
