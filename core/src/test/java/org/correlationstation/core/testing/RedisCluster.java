package org.correlationstation.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real Redis Cluster for tests: {@code primaries} primaries with {@code replicasEach} replicas each,
 * from Debian's {@code redis-server}, joined with {@code redis-cli --cluster create}, on free local
 * ports. A node can be killed with SIGKILL ({@link #kill}) and started again on its port with its
 * cluster configuration ({@link #restart}), where it rejoins as a replica of whoever took over.
 * The node timeout is short (2 s) so that a failover takes seconds.
 *
 * <p>Skipped without the binaries, except under {@code CI=true}, where it fails ({@link RedisServer}).
 */
public final class RedisCluster implements AutoCloseable {
    private static final String HOST = RedisProcesses.HOST;
    private static final int NODE_TIMEOUT_MS = 2000;

    private final Path server;
    private final Path cli;
    private final Path dir;
    private final Map<Integer, Process> nodes = new LinkedHashMap<>();
    private int primaryCount;

    private RedisCluster(Path server, Path cli, Path dir) {
        this.server = server;
        this.cli = cli;
        this.dir = dir;
    }

    public static RedisCluster start(int primaries, int replicasEach) {
        Path server = RedisServer.requireBinary();
        Path cli = RedisProcesses.cli(server);
        RedisCluster cluster;
        try {
            cluster = new RedisCluster(server, cli, Files.createTempDirectory("redis-cluster-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            int count = primaries * (1 + replicasEach);
            for (int i = 0; i < count; i++) cluster.launch(freePortWithBus());
            for (int port : cluster.ports()) cluster.awaitPing(port, "node " + port);
            List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
            for (int port : cluster.ports()) create.add(HOST + ":" + port);
            create.addAll(List.of("--cluster-replicas", Integer.toString(replicasEach), "--cluster-yes"));
            String out = RedisProcesses.run(create);
            if (!out.contains("[OK] All 16384 slots covered")) throw new IllegalStateException("cluster create: " + out);
            cluster.awaitHealthy();
            cluster.awaitReplicasOnline(replicasEach);
            cluster.primaryCount = primaries;
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void launch(int port) {
        try {
            Process p = new ProcessBuilder(server.toString(), "--port", Integer.toString(port), "--bind", HOST,
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                    "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS),
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + port + ".log").toFile()))
                    .start();
            nodes.put(port, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Integer> ports() {
        return new ArrayList<>(nodes.keySet());
    }

    /** {@code redis://h:p1,h:p2,…?cluster=true}: every node, as a user would write REDIS_URL. */
    public String uri() {
        List<String> hosts = new ArrayList<>();
        for (int port : nodes.keySet()) hosts.add(HOST + ":" + port);
        return "redis://" + String.join(",", hosts) + "?cluster=true";
    }

    /** The ports of the nodes that are primaries now (alive ones, as the cluster sees them). */
    public List<Integer> primaries() {
        List<Integer> out = new ArrayList<>();
        for (int port : nodes.keySet()) {
            if (isAlive(port) && cli(port, "role").startsWith("master")) out.add(port);
        }
        return out;
    }

    /** Keys held by the node on {@code port} ({@code DBSIZE}). */
    public long keys(int port) {
        return Long.parseLong(cli(port, "dbsize").trim());
    }

    /** SIGKILL to the node: no shutdown, nothing flushed, as when a machine dies. */
    public void kill(int port) {
        RedisProcesses.kill(nodes.get(port));
    }

    /** Starts a killed node again on its port; it rejoins with its cluster configuration. */
    public void restart(int port) {
        launch(port);
        awaitPing(port, "node " + port + " back");
    }

    /** Waits for PONG; a node that exited (its port taken, say) fails at once with its log. */
    private void awaitPing(int port, String what) {
        RedisProcesses.await(() -> {
            if (!isAlive(port)) throw new IllegalStateException(what + " exited: " + log(port));
            return cli(port, "ping").contains("PONG");
        }, what);
    }

    private String log(int port) {
        try {
            return Files.readString(dir.resolve("node-" + port + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Waits until every live node says the cluster is ok and no slot lacks a live primary. */
    public void awaitHealthy() {
        RedisProcesses.await(() -> {
            for (int port : nodes.keySet()) {
                if (isAlive(port) && !cli(port, "cluster", "info").contains("cluster_state:ok")) return false;
            }
            return true;
        }, "cluster_state:ok on every node");
    }

    /**
     * Waits until {@code port}, killed, has been replaced: its replica answers as a primary and every live
     * node says the cluster is ok. Only then may the node start again: back before its replica took
     * over, it would still be the primary, with the empty dataset it restarted with (persistence is off),
     * and its replica would copy that.
     */
    public void awaitFailoverOf(int port) {
        int before = primaryCount;
        RedisProcesses.await(() -> {
            if (primaries().size() < before) return false;
            for (int other : nodes.keySet()) {
                if (other != port && isAlive(other) && !cli(other, "cluster", "info").contains("cluster_state:ok")) {
                    return false;
                }
            }
            return true;
        }, "failover of " + port);
    }

    /**
     * Waits until every primary has {@code replicasEach} replicas past their first full sync
     * ({@code state=online}): before that a write reaches no replica, {@code WAIT} answers 0, and a
     * primary killed takes the cluster's only copy of its writes along (a test then sees a loss that
     * is its own setup's).
     */
    private void awaitReplicasOnline(int replicasEach) {
        RedisProcesses.await(() -> {
            for (int port : primaries()) {
                int online = 0;
                for (String line : cli(port, "info", "replication").split("\n")) {
                    if (line.startsWith("slave") && line.contains("state=online")) online++;
                }
                if (online < replicasEach) return false;
            }
            return true;
        }, "every primary's replicas online");
    }

    /** Waits until the node on {@code port} is a replica in sync with its primary (e.g. after {@link #restart}). */
    public void awaitInSyncReplica(int port) {
        RedisProcesses.await(() -> cli(port, "role").startsWith("slave")
                && cli(port, "info", "replication").contains("master_link_status:up"), port + " a replica in sync");
    }

    /** The replicas the primary on {@code port} has now ({@code connected_slaves}). */
    public int replicasOf(int port) {
        for (String line : cli(port, "info", "replication").split("\n")) {
            if (line.startsWith("connected_slaves:")) return Integer.parseInt(line.substring(17).trim());
        }
        return 0;
    }

    public boolean isAlive(int port) {
        Process p = nodes.get(port);
        return p != null && p.isAlive();
    }

    /** One redis-cli command against a node; its output. */
    public String cli(int port, String... args) {
        return RedisProcesses.cli(cli, port, args);
    }

    /** Empties every primary (and so its replicas): between benchmark rounds. */
    public void flushAll() {
        for (int port : primaries()) cli(port, "flushall");
    }

    /** CPU time of the nodes alive now, together (empty where the platform does not tell). */
    public Optional<Duration> cpuTime() {
        Duration total = Duration.ZERO;
        for (Process p : nodes.values()) {
            if (!p.isAlive()) continue;
            var cpu = p.toHandle().info().totalCpuDuration();
            if (cpu.isEmpty()) return Optional.empty();
            total = total.plus(cpu.get());
        }
        return Optional.of(total);
    }

    /** Commands the node on {@code port} has processed since it started ({@code INFO stats}). */
    public long commandsProcessed(int port) {
        for (String line : cli(port, "info", "stats").split("\n")) {
            if (line.startsWith("total_commands_processed:")) return Long.parseLong(line.substring(25).trim());
        }
        throw new IllegalStateException("no total_commands_processed from node " + port);
    }

    /** A free port whose cluster bus port (+10000) is free too, both outside the ephemeral range. */
    static int freePortWithBus() {
        return FreePorts.withPartner(10_000);
    }

    @Override
    public void close() {
        RedisProcesses.stopAll(nodes.values(), dir);
    }
}
