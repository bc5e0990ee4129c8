package org.correlationstation.local.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The few calls of Flink's REST API (the web UI's backend) the supervisor needs: is the JobManager up,
 * how many TaskManagers registered, a job's state, stop-with-savepoint and cancel.
 */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    FlinkRest(String host, int port) {
        this.base = URI.create("http://" + host + ":" + port);
    }

    URI base() {
        return base;
    }

    /** The registered TaskManagers, or empty while the REST endpoint does not answer. */
    Optional<Integer> taskManagers() {
        return get("/overview").map(o -> o.path("taskmanagers").asInt());
    }

    /** The ids of the jobs that are running or restarting. */
    java.util.List<String> runningJobs() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        get("/jobs/overview").ifPresent(o -> {
            for (JsonNode job : o.path("jobs")) {
                String state = job.path("state").asText();
                if (state.equals("RUNNING") || state.equals("RESTARTING") || state.equals("CREATED")
                        || state.equals("INITIALIZING")) {
                    ids.add(job.path("jid").asText());
                }
            }
        });
        return ids;
    }

    /** True when the job and every one of its tasks run. */
    boolean allTasksRunning(String jobId) {
        Optional<JsonNode> job = get("/jobs/" + jobId);
        if (job.isEmpty() || !"RUNNING".equals(job.get().path("state").asText())) return false;
        for (JsonNode vertex : job.get().path("vertices")) {
            if (!"RUNNING".equals(vertex.path("status").asText())) return false;
        }
        return true;
    }

    /** Stops the job with a savepoint under {@code directory} and returns the savepoint's path. */
    String stopWithSavepoint(String jobId, String directory, Duration timeout) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("targetDirectory", directory).put("drain", false));
        JsonNode trigger = send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/stop"))
                .timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        String triggerId = trigger.path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/savepoints/" + triggerId))
                    .timeout(TIMEOUT).GET().build());
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("location")) return operation.get("location").asText();
                throw new IOException("the savepoint failed: " + operation.path("failure-cause").path("stack-trace").asText()
                        .lines().findFirst().orElse("no reason given"));
            }
            // The REST API has no push for a savepoint's progress; its own web UI polls the same way.
            Thread.sleep(200);
        }
        throw new IOException("no savepoint after " + timeout);
    }

    /**
     * Cancels the job ({@code PATCH /jobs/<id>?mode=cancel}) and waits until it ended, at most
     * {@code timeout}. Its retained checkpoints stay (RETAIN_ON_CANCELLATION).
     */
    void cancel(String jobId, Duration timeout) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel")).timeout(TIMEOUT)
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state = get("/jobs/" + jobId).map(j -> j.path("state").asText()).orElse("");
            if (state.equals("CANCELED") || state.equals("FINISHED") || state.equals("FAILED")) return;
            // No push for a job's state either; as above.
            Thread.sleep(200);
        }
        throw new IOException("the job " + jobId + " did not end within " + timeout + " of its cancellation");
    }

    private Optional<JsonNode> get(String path) {
        try {
            return Optional.of(send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri().getPath() + ": HTTP " + response.statusCode()
                    + " " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
