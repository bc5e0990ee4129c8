package org.correlationstation.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Redis with Sentinel for tests: a primary, one replica and three sentinels (quorum 2), from
 * Debian's {@code redis-server} ({@code --sentinel}), on free local ports. The primary can be killed
 * with SIGKILL; the sentinels promote the replica within seconds (down after 1 s), and the old primary,
 * started again, is turned into a replica of the new one.
 */
public final class RedisSentinels implements AutoCloseable {
    public static final String MASTER = "mymaster";
    private static final String HOST = RedisProcesses.HOST;

    private final Path server;
    private final Path cli;
    private final Path dir;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Map<Integer, List<String>> commands = new LinkedHashMap<>();
    private final List<Integer> dataPorts = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private RedisSentinels(Path server, Path cli, Path dir) {
        this.server = server;
        this.cli = cli;
        this.dir = dir;
    }

    public static RedisSentinels start() {
        Path server = RedisServer.requireBinary();
        Path cli = RedisProcesses.cli(server);
        RedisSentinels s;
        try {
            s = new RedisSentinels(server, cli, Files.createTempDirectory("redis-sentinel-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            int primary = RedisCluster.freePortWithBus();
            int replica = RedisCluster.freePortWithBus();
            s.dataPorts.addAll(List.of(primary, replica));
            s.launch(primary, List.of(server.toString(), "--port", Integer.toString(primary), "--bind", HOST,
                    "--save", "", "--appendonly", "no", "--dir", s.dir.toString()));
            s.launch(replica, List.of(server.toString(), "--port", Integer.toString(replica), "--bind", HOST,
                    "--save", "", "--appendonly", "no", "--dir", s.dir.toString(),
                    "--replicaof", HOST, Integer.toString(primary)));
            RedisProcesses.await(() -> s.cli(replica, "info", "replication").contains("master_link_status:up"), "replica in sync");
            for (int i = 0; i < 3; i++) {
                int port = RedisCluster.freePortWithBus();
                Path conf = s.dir.resolve("sentinel-" + port + ".conf");
                Files.writeString(conf, String.join("\n",
                        "port " + port,
                        "bind " + HOST,
                        "dir " + s.dir,
                        "sentinel monitor " + MASTER + " " + HOST + " " + primary + " 2",
                        "sentinel down-after-milliseconds " + MASTER + " 1000",
                        "sentinel failover-timeout " + MASTER + " 5000",
                        "sentinel parallel-syncs " + MASTER + " 1", ""), StandardCharsets.UTF_8);
                s.sentinelPorts.add(port);
                s.launch(port, List.of(server.toString(), conf.toString(), "--sentinel"));
            }
            RedisProcesses.await(() -> {
                for (int port : s.sentinelPorts) {
                    String info = s.cli(port, "sentinel", "master", MASTER);
                    if (!info.contains("num-other-sentinels\n2") || !info.contains("num-slaves\n1")) return false;
                }
                return true;
            }, "sentinels that know each other and the replica");
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void launch(int port, List<String> command) {
        try {
            processes.put(port, new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis-" + port + ".log").toFile()))
                    .start());
            commands.put(port, command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisProcesses.await(() -> cli(port, "ping").contains("PONG"), "redis on " + port);
    }

    /** {@code redis-sentinel://h:s1,h:s2,h:s3#mymaster}, as a user would write REDIS_URL. */
    public String uri() {
        List<String> hosts = new ArrayList<>();
        for (int port : sentinelPorts) hosts.add(HOST + ":" + port);
        return "redis-sentinel://" + String.join(",", hosts) + "#" + MASTER;
    }

    /** The data node the sentinels name as primary now. */
    public int primary() {
        String[] reply = cli(sentinelPorts.get(0), "sentinel", "get-master-addr-by-name", MASTER).trim().split("\n");
        return Integer.parseInt(reply[reply.length - 1].trim());
    }

    /** SIGKILL to a data node. */
    public void kill(int port) {
        RedisProcesses.kill(processes.get(port));
    }

    /** Starts a killed data node again as it was started (the sentinels then make it a replica). */
    public void restart(int port) {
        launch(port, commands.get(port));
    }

    /** Waits until the sentinels name another primary than {@code port} and it answers as one. */
    public void awaitFailoverFrom(int port) {
        RedisProcesses.await(() -> {
            int now = primary();
            return now != port && cli(now, "role").startsWith("master");
        }, "a failover from " + port);
    }

    /** Waits until the primary has {@code n} replicas in sync. */
    public void awaitReplicas(int n) {
        RedisProcesses.await(() -> cli(primary(), "info", "replication").contains("connected_slaves:" + n), n + " replica(s)");
    }

    public List<Integer> dataPorts() {
        return List.copyOf(dataPorts);
    }

    public String cli(int port, String... args) {
        return RedisProcesses.cli(cli, port, args);
    }


    @Override
    public void close() {
        RedisProcesses.stopAll(processes.values(), dir);
    }
}
