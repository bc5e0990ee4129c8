package org.correlationstation.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.correlationstation.core.testing.FreePorts;

/**
 * {@code ./bin/correlation-station cluster} started as a user starts it, on free ports under a data
 * directory of its own, with the handles a chaos test needs: the pid files it writes, Flink's REST API,
 * and Flink's CLI through {@code ./bin/correlation-station flink}.
 */
final class ClusterProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path dataDir;
    private final Map<String, String> env = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> output = new ArrayList<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private Process process;
    private Thread reader;

    ClusterProcess(Path root, Path dataDir, Map<String, String> settings) {
        this.root = root;
        this.dataDir = dataDir;
        env.put("DATA_DIR", dataDir.toString());
        List<String> names = List.of("PORT", "OTLP_GRPC_PORT", "OTLP_HTTP_PORT", "FLINK_UI_PORT", "KAFKA_PORT",
                "KAFKA_CONTROLLER_PORT", "FLINK_RPC_PORT", "REDIS_PORT");
        int[] ports = FreePorts.distinct(names.size());
        for (int i = 0; i < ports.length; i++) env.put(names.get(i), Integer.toString(ports[i]));
        env.put("FLINK_METRICS_PORT", Integer.toString(FreePorts.range(8)));
        env.putAll(settings);
    }

    /** Starts the cluster and waits for its {@code ready} line. */
    void start(Duration timeout) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("bin/correlation-station").toString(), "cluster")
                .directory(root.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        process = builder.start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    System.out.println("[cluster] " + line);
                    if (line.equals("ready")) ready.countDown();
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "cluster-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the cluster did not print ready within " + timeout + ":\n" + String.join("\n", output()));
        }
    }

    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    String kafkaBootstrap() {
        return "localhost:" + env.get("KAFKA_PORT");
    }

    String redisUri() {
        return "redis://localhost:" + env.get("REDIS_PORT");
    }

    Path dataDir() {
        return dataDir;
    }

    long pid(String part) {
        try {
            return Long.parseLong(Files.readString(dataDir.resolve("run").resolve(part + ".pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code kill -9} of one part, by its pid file, as a user would. */
    long kill9(String part) throws Exception {
        long pid = pid(part);
        run("kill", "-9", Long.toString(pid));
        return pid;
    }

    void signal(String part, String signal) throws Exception {
        run("kill", "-" + signal, Long.toString(pid(part)));
    }

    /** {@code ./bin/correlation-station flink <args>}: Flink's CLI against this cluster; its output. */
    String flink(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("bin/correlation-station").toString(), "flink"));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process cli = builder.start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cli.waitFor(3, TimeUnit.MINUTES) || cli.exitValue() != 0) {
            throw new IllegalStateException("flink " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    // ---------------------------------------------------------------- Flink's REST API

    Optional<JsonNode> rest(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + env.get("FLINK_UI_PORT") + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The running job whose every task runs and which (re)started after {@code sinceMillis}, if any. */
    Optional<String> runningJob(long sinceMillis) {
        Optional<JsonNode> overview = rest("/jobs/overview");
        if (overview.isEmpty()) return Optional.empty();
        for (JsonNode job : overview.get().path("jobs")) {
            if (!job.path("state").asText().equals("RUNNING")) continue;
            String id = job.path("jid").asText();
            Optional<JsonNode> details = rest("/jobs/" + id);
            if (details.isEmpty()) continue;
            long runningSince = details.get().path("timestamps").path("RUNNING").asLong();
            boolean allRunning = true;
            for (JsonNode v : details.get().path("vertices")) {
                allRunning &= v.path("status").asText().equals("RUNNING");
            }
            if (allRunning && runningSince >= sinceMillis) return Optional.of(id);
        }
        return Optional.empty();
    }

    int parallelismOf(String jobId) {
        int max = 0;
        for (JsonNode v : rest("/jobs/" + jobId).orElseThrow().path("vertices")) max = Math.max(max, v.path("parallelism").asInt());
        return max;
    }

    int taskManagers() {
        return rest("/overview").map(o -> o.path("taskmanagers").asInt()).orElse(0);
    }

    /** Polls {@code condition} every 100 ms until it holds; the processes under test have no push. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            Thread.sleep(100);
        }
    }

    /** SIGTERM (stop with a savepoint, then every part); kills whatever is left after the timeout. */
    @Override
    public void close() throws Exception {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(3, TimeUnit.MINUTES)) process.destroyForcibly();
        reader.join(TimeUnit.SECONDS.toMillis(30)); // the last lines it printed, before anyone reads them
        // Parts run in sessions of their own: a supervisor that did not stop them leaves them behind.
        Path run = dataDir.resolve("run");
        if (Files.isDirectory(run)) {
            try (var files = Files.list(run)) {
                for (Path pidFile : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroyForcibly);
                    } catch (IOException | NumberFormatException e) {
                        // gone already
                    }
                }
            }
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
}
