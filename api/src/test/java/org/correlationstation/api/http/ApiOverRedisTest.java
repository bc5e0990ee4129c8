package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.correlationstation.api.ApiServer;
import org.correlationstation.api.store.RedisCorrelationStore;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Over a real redis-server the HTTP server runs on the store's I/O threads: concurrent requests on
 * several connections are all answered, and closing the server leaves the store (and its threads)
 * working for the next server.
 */
class ApiOverRedisTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void serverSharesTheStoresIoThreadsAndLeavesThemRunning() throws Exception {
        List<String> traces = new ArrayList<>();
        RedisClient seed = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<String, String> c = seed.connect()) {
            c.sync().flushall();
            for (int i = 0; i < 20; i++) {
                String trace = String.format("%032x", 0xabc000 + i);
                CorrelationRecord r = ApiTestSupport.record(trace, 1_763_805_600_000L + i, "closed", false, "checkout");
                c.sync().set(RedisKeys.trace(trace), r.correlationId);
                c.sync().set(RedisKeys.record(r.correlationId), RecordCodec.toJson(r));
                traces.add(trace);
            }
        } finally {
            seed.shutdown(0, 2, TimeUnit.SECONDS);
        }

        RedisCorrelationStore store = RedisCorrelationStore.create(REDIS.uri(), Duration.ofSeconds(2), Duration.ofMillis(200));
        try {
            for (int round = 0; round < 2; round++) {
                ApiServer server = start(store);
                try (RawHttp open = new RawHttp(server.port())) {
                    assertAllAnswered(server.port(), traces);
                    assertThat(open.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
                    server.close();
                    // Its connections go with it, although the threads they ran on live on.
                    assertThat(open.closedByServer()).isTrue();
                } finally {
                    server.close();
                }
                // The shared threads outlive the server: the store still answers.
                assertThat(store.recordJsonByTraceId(traces.get(0)).get(10, TimeUnit.SECONDS)).isPresent();
            }
        } finally {
            store.close();
        }
    }

    private static ApiServer start(RedisCorrelationStore store) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("API_QUERY_TIMEOUT_MS", "2000");
        return ApiServer.start(Settings.from(env, new String[0]), store);
    }

    /** Every trace looked up five times at once, over as many connections as the client opens. */
    private static void assertAllAnswered(int port, List<String> traces) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            for (String trace : traces) {
                asked.add(trace);
                answers.add(client.sendAsync(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/api/correlations?trace_id=" + trace))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
            }
        }
        for (int i = 0; i < answers.size(); i++) {
            HttpResponse<String> r = answers.get(i).get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(ApiTestSupport.json(r).get("trace_id").asText()).isEqualTo(asked.get(i));
        }
    }
}
