package org.correlationstation.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ENABLE_PYROSCOPE=true through the launcher's pyroscope_java_opts (bin/correlation-station, sourced),
 * in a real JVM with the real agent (job/target/pyroscope/pyroscope-agent.jar).
 *
 * <p>The agent writes an ERROR line for every failed upload and cannot be set quieter, so the launcher
 * probes the server once: with no server the JVM keeps running and the only trace is one warning —
 * checked across several upload intervals (PYROSCOPE_UPLOAD_INTERVAL=1s). With a server, profiles
 * arrive labelled with env, version and service.
 */
class PyroscopeAgentTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private HttpServer pyroscope;

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
        if (pyroscope != null) pyroscope.stop(0);
    }

    @Test
    void withNoServerTheJvmRunsAndLogsOneWarningNotAStream() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        int port = start("http://127.0.0.1:" + closedPort);

        // Three upload intervals of 1 s: the JVM's own uptime says when they have passed.
        await(() -> uptimeMs(port) >= 3_500, Duration.ofSeconds(60), "the JVM to run for 3.5 s");
        assertThat(health(port)).isEqualTo(200);
        List<String> pyroscopeLines = stderr.stream().filter(l -> l.toLowerCase().contains("pyroscope")).toList();
        assertThat(pyroscopeLines).hasSize(1);
        assertThat(pyroscopeLines.get(0)).contains("warning").contains("does not answer").contains("starting without the profiler");
        assertThat(stderr).noneMatch(l -> l.contains("[ERROR]") || l.contains("Error uploading"));
        assertThat(process.isAlive()).isTrue();
    }

    @Test
    void withAServerProfilesArriveLabelled() throws Exception {
        List<String> uploads = new CopyOnWriteArrayList<>();
        pyroscope = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pyroscope.createContext("/", exchange -> {
            uploads.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        pyroscope.start();
        int port = start("http://127.0.0.1:" + pyroscope.getAddress().getPort());

        await(() -> uploads.size() >= 2, Duration.ofSeconds(60), "two uploads (two upload intervals)");
        assertThat(health(port)).isEqualTo(200);
        String first = URLDecoder.decode(uploads.get(0), StandardCharsets.UTF_8);
        assertThat(first).startsWith("POST /ingest")
                .contains("correlation-station.probe")
                .contains("env=deploy-test").contains("service=probe").contains("version=");
        assertThat(stderr).anyMatch(l -> l.contains("profiling with Pyroscope"));
        assertThat(stderr).noneMatch(l -> l.contains("[ERROR]"));
    }

    /** Starts PyroscopeProbeMain through the launcher's function; returns its HTTP port. */
    private int start(String serverAddress) throws Exception {
        Path launcher = RepoFiles.path("bin/correlation-station");
        Path agent = RepoFiles.path("job/target/pyroscope/pyroscope-agent.jar");
        assertThat(agent).as("the agent is copied in the validate phase of the job module").exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
                "source \"$1\" && pyroscope_java_opts probe && exec \"$2\" ${JAVA_OPTS:-} -Xmx64m -cp \"$3\" "
                        + PyroscopeProbeMain.class.getName(),
                "probe", launcher.toString(), java, Path.of("target", "test-classes").toAbsolutePath().toString());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("PYROSCOPE_") || k.equals("JAVA_OPTS") || k.equals("JAVA_TOOL_OPTIONS"));
        env.put("ENABLE_PYROSCOPE", "true");
        env.put("PYROSCOPE_SERVER_ADDRESS", serverAddress);
        env.put("PYROSCOPE_UPLOAD_INTERVAL", "1s");
        env.put("DEPLOYMENT_ENV", "deploy-test");
        env.put("CORRELATION_STATION_MAVEN_ARGS", "-o");
        process = builder.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) stderr.add(line);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "probe-stderr");
        reader.setDaemon(true);
        reader.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the probe's first line; stderr: %s", stderr).isNotNull().startsWith("listening ");
        return Integer.parseInt(line.substring("listening ".length()).trim());
    }

    private static int health(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static long uptimeMs(int port) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return Long.parseLong(body.replaceAll(".*\"uptime_ms\":(\\d+).*", "$1"));
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }
}
