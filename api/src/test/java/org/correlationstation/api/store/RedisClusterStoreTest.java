package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;
import static org.correlationstation.api.store.StoreTestRecords.NEWEST_FIRST;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.correlationstation.connectors.redis.CasScript;
import org.correlationstation.connectors.redis.RecordBatchWriter;
import org.correlationstation.connectors.redis.RedisRecordWrite;
import org.correlationstation.connectors.redis.RedisSink;
import org.correlationstation.core.testing.RedisServer;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.redis.RedisKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against a real three-node Redis Cluster (keys spread over the nodes): every read
 * is single-key, so lookups, listings and pruning work through the cluster client. Seeded through
 * the sink's writer on a cluster connection.
 */
class RedisClusterStoreTest {
    private static final String HOST = "127.0.0.1";
    private static final List<Process> NODES = new ArrayList<>();
    private static final List<Integer> PORTS = new ArrayList<>();
    private static Path dir;
    private static RedisClusterClient seedClient;
    private static StatefulRedisClusterConnection<String, String> seed;

    @BeforeAll
    static void startCluster() throws Exception {
        Path server = RedisServer.requireBinary(); // skipped (or failed under CI) without redis-server
        Path cli = server.resolveSibling("redis-cli");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(cli), "redis-cli not installed");
        dir = Files.createTempDirectory("redis-cluster-test-");
        for (int i = 0; i < 3; i++) {
            int port = freePortWithBus();
            PORTS.add(port);
            NODES.add(new ProcessBuilder(server.toString(), "--port", Integer.toString(port), "--bind", HOST,
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("node-" + port + ".log").toFile())
                    .start());
        }
        for (int port : PORTS) waitFor(() -> cli(cli, "-p", Integer.toString(port), "ping").contains("PONG"));
        List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
        for (int port : PORTS) create.add(HOST + ":" + port);
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        for (int port : PORTS) {
            waitFor(() -> cli(cli, "-p", Integer.toString(port), "cluster", "info").contains("cluster_state:ok"));
        }
        seedClient = RedisClusterClient.create(RedisURI.create("redis://" + HOST + ":" + PORTS.get(0)));
        seed = seedClient.connect();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (seed != null) seed.close();
        if (seedClient != null) seedClient.shutdown(0, 2, TimeUnit.SECONDS);
        for (Process p : NODES) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void write(List<CorrelationRecord> records, Duration ttl) throws Exception {
        var options = RedisSink.builder().setRedisUri("redis://" + HOST + ":" + PORTS.get(0)).setRecordTtl(ttl).buildOptions();
        new RecordBatchWriter(new CasScript(), options)
                .write(seed.async(), records.stream().map(RedisRecordWrite::of).toList(), System.currentTimeMillis())
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void looksUpListsAndPrunesThroughTheClusterClient() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(30);
        List<CorrelationRecord> gone = new ArrayList<>();
        for (int i = 0; i < 3; i++) gone.add(gen.record(BASE + 5, "open", false, "checkout"));
        List<CorrelationRecord> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.add(gen.record(BASE + (i % 9) * 10L, i % 2 == 0 ? "open" : "closed", i % 4 == 0,
                    i % 3 == 0 ? new String[] {"checkout", "gateway"} : new String[] {"checkout"}));
        }
        // The writer sets each index key's expiry to its batch's TTL: short-lived first, then the rest
        // in small batches, so that the first of them refreshes the indexes long before 1 s passed.
        write(gone, Duration.ofSeconds(1));
        for (int i = 0; i < all.size(); i += 25) write(all.subList(i, i + 25), Duration.ofHours(1));

        String uri = "redis://" + HOST + ":" + PORTS.get(0) + "," + HOST + ":" + PORTS.get(1);
        try (RedisCorrelationStore store = RedisCorrelationStore.create(uri, Duration.ofSeconds(2), Duration.ofMillis(200))) {
            assertThat(store.isCluster()).isTrue();
            store.ping().get(10, TimeUnit.SECONDS);
            CorrelationRecord some = all.get(17);
            assertThat(store.byTraceId(some.traceId).get(10, TimeUnit.SECONDS)).get()
                    .satisfies(r -> assertThat(r.correlationId).isEqualTo(some.correlationId));
            assertThat(store.byCorrelationId(all.get(3).correlationId).get(10, TimeUnit.SECONDS)).isPresent();

            waitFor(() -> gone.stream().allMatch(r -> seed.sync().exists(RedisKeys.record(r.correlationId)) == 0));
            List<String> want = StoreTestRecords.ids(all.stream()
                    .filter(r -> r.services.contains("gateway") && r.hasError).sorted(NEWEST_FIRST).toList());
            assertThat(pageThrough(store, "gateway", true, 7)).containsExactlyElementsOf(want);
            List<String> everything = StoreTestRecords.ids(all.stream().sorted(NEWEST_FIRST).toList());
            assertThat(pageThrough(store, null, null, 7)).containsExactlyElementsOf(everything);
            waitFor(() -> gone.stream().allMatch(r -> seed.sync().zscore(RedisKeys.TIME_INDEX, r.correlationId) == null
                    && seed.sync().zscore(RedisKeys.service("checkout"), r.correlationId) == null));
        }
    }

    private static List<String> pageThrough(RedisCorrelationStore store, String service, Boolean hasError, int limit)
            throws Exception {
        List<String> out = new ArrayList<>();
        Cursor cursor = null;
        do {
            Page page = store.query(new CorrelationQuery(service, null, null, null, hasError, limit, cursor))
                    .get(10, TimeUnit.SECONDS);
            out.addAll(StoreTestRecords.ids(page.items()));
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    private static String cli(Path cli, String... args) {
        List<String> command = new ArrayList<>();
        command.add(cli.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** A free port whose cluster bus port (+10000) is free too. */
    private static int freePortWithBus() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            if (free(port) && free(port + 10_000)) return port;
        }
        throw new IOException("no free port pair");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
