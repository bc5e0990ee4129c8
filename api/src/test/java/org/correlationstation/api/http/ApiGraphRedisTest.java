package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.http.ApiTestSupport.json;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.RedisCorrelationStore;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /api/graph} over a real redis-server, seeded in the job's format ({@link GraphRedisSeed}),
 * plus what only Redis has: index members outliving their hash (pruned once old), values written by
 * something else, and an outage.
 */
class ApiGraphRedisTest extends ApiGraphContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private RedisCorrelationStore store;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS.uri());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void disconnect() {
        if (connection != null) connection.close();
        if (client != null) client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    protected CorrelationStore newStore() {
        store = RedisCorrelationStore.create(REDIS.uri(), Duration.ofSeconds(2), Duration.ofMillis(200));
        return store;
    }

    @Override
    protected void seed(long bucketStart, Map<GraphKey, GraphCounts> elements) {
        GraphRedisSeed.bucket(redis, bucketStart, elements);
    }

    @Override
    protected void seedExpired(long bucketStart, Map<GraphKey, GraphCounts> elements) {
        GraphRedisSeed.indexOnly(redis, bucketStart);
    }

    @Test
    void indexMembersWithoutTheirHashArePrunedOnceOldEnoughAndKeptWhileFresh() throws Exception {
        long now = System.currentTimeMillis();
        // The default retention is an hour and a minute after the bucket's start.
        long old = now - now % MINUTE - 62 * MINUTE;
        long fresh = now - now % MINUTE - 5 * MINUTE;
        GraphRedisSeed.indexOnly(redis, old);
        GraphRedisSeed.indexOnly(redis, fresh);
        List<GraphFixture.Span> spans = GraphFixture.spans(70, 100);
        seed(fresh - MINUTE, GraphFixture.bucket(spans));

        GraphFixture.assertGraph(graph("?since=" + (old - MINUTE) + "&until=" + now), GraphFixture.expected(spans, null));
        // Pruning runs after the answer, in the background.
        // The counter moves when the ZREM's reply is handled, just after Redis removed the member.
        waitFor("the old member to be removed and counted", () -> redis.zscore(RedisKeys.GRAPH_BUCKETS,
                Long.toString(old)) == null && store.prunedGraphBuckets() > 0);
        assertThat(store.prunedGraphBuckets()).isEqualTo(1);
        // The fresh one may be a bucket whose index entry landed before its hash: it stays.
        assertThat(redis.zscore(RedisKeys.GRAPH_BUCKETS, Long.toString(fresh))).isEqualTo((double) fresh);
        assertThat(redis.zscore(RedisKeys.GRAPH_BUCKETS, Long.toString(fresh - MINUTE))).isNotNull();
    }

    @Test
    void unreadableFieldsValuesAndMembersAreSkipped() {
        List<GraphFixture.Span> spans = GraphFixture.spans(80, 300);
        seed(T0, GraphFixture.bucket(spans));
        String key = RedisKeys.graphBucket(T0);
        redis.hset(key, "not a field", GraphCodec.value(new GraphCounts()));
        redis.hset(key, GraphCodec.field(GraphKey.node("broken")), "{\"calls\":\"many\"}");
        redis.hset(key, GraphCodec.field(GraphKey.edge("frontend", "broken")), "not json");
        redis.zadd(RedisKeys.GRAPH_BUCKETS, T0 + MINUTE, "not-a-number");

        GraphFixture.assertGraph(graph("?since=" + T0 + "&until=" + (T0 + 2 * MINUTE)), GraphFixture.expected(spans, null));
    }

    @Test
    void answers503WhileRedisIsDownAndRecovers() throws Exception {
        List<GraphFixture.Span> spans = GraphFixture.spans(90, 100);
        seed(T0, GraphFixture.bucket(spans));
        String query = "?since=" + T0 + "&until=" + (T0 + MINUTE);
        graph(query);

        REDIS.server().stop();
        HttpResponse<String> down = api.get("/api/graph" + query);
        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        assertThat(json(down).at("/error/code").asText()).isEqualTo("unavailable");
        assertThat(down.headers().firstValue("retry-after")).isPresent();

        REDIS.server().start(); // empty again: persistence is off
        connection.close();
        connection = client.connect();
        redis = connection.sync();
        seed(T0, GraphFixture.bucket(spans));
        // Each of the store's connections reconnects on its own: wait for an answer, then check it.
        List<HttpResponse<String>> answer = new ArrayList<>(List.of(down));
        waitFor("the store to answer again", () -> {
            answer.set(0, api.get("/api/graph" + query));
            return answer.get(0).statusCode() == 200;
        });
        GraphFixture.assertGraph(json(answer.get(0)), GraphFixture.expected(spans, null));
    }

    static void waitFor(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
