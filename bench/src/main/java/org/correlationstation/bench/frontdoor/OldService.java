package org.correlationstation.bench.frontdoor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.bench.ingest.ChildProcess;

/**
 * The old Python service (FastAPI), started from its checkout as its guide runs it: uvicorn, one worker,
 * its own telemetry exporters off so that they cost nothing. It read only JSON OTLP bodies, on
 * {@code /api/otlp/v1/traces} and {@code /logs}, and served records on
 * {@code GET /api/correlations?trace_id=} as ours does. Untested here: its source is not on this machine.
 *
 * @param app uvicorn's {@code module:attribute}
 * @param extraEnv more environment, {@code K=V,K=V}
 */
record OldService(Path dir, String app, String extraEnv, int port) {
    static final String OTLP_PATH_PREFIX = "/api/otlp";

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    ChildProcess start(Path log) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OTEL_SDK_DISABLED", "true");
        env.put("OTEL_TRACES_EXPORTER", "none");
        env.put("OTEL_METRICS_EXPORTER", "none");
        env.put("OTEL_LOGS_EXPORTER", "none");
        for (String kv : extraEnv.split(",")) {
            if (kv.contains("=")) env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        List<String> cmd = List.of("python3", "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--log-level", "warning");
        System.out.println("== starting the old service: " + String.join(" ", cmd) + " in " + dir + " " + env);
        ChildProcess old = ChildProcess.start("old-service", cmd, env, dir, log);
        try {
            awaitHealthy(old);
        } catch (Exception | Error e) {
            old.close();
            throw e;
        }
        return old;
    }

    private void awaitHealthy(ChildProcess process) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(baseUrl() + "/health")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException(process + " exited; see " + process.log());
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(process + " did not answer " + baseUrl() + "/health within 2 min; see " + process.log());
    }
}
