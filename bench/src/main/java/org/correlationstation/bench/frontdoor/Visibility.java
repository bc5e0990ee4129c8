package org.correlationstation.bench.frontdoor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.correlationstation.bench.check.RecordChecker;
import org.correlationstation.bench.load.SentTrace;

/**
 * When the records of what a phase sent were all visible, and whether they are right: the moment the
 * front door's "processed" rate ends. Polls cheaply first (a metric scrape, a sample of lookups), so
 * that the wait takes little of the CPU the pipeline is still using, then checks every trace.
 */
final class Visibility {
    static final Duration TIMEOUT = Duration.ofMinutes(10);
    /** The correlator's events taken in, per subtask and kind (docs/metrics.md). */
    private static final String TAKEN_IN = "flink_taskmanager_job_task_operator_correlation_kind_events";

    record Visible(double seconds, RecordChecker.Result check) {}

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String api;
    private final String metrics;

    /** @param metrics the Flink Prometheus reporter's URL, or null when the target has none */
    Visibility(String api, String metrics) {
        this.api = api;
        this.metrics = metrics;
    }

    /**
     * Waits until the records of {@code traces} are visible and complete through the API: first until the
     * correlator took in {@code tracedEventsSent} (every traced event sent so far; or until its counter
     * stopped growing for 5 s), then until a sample (the last 50 traces sent, 50 at random) is complete;
     * then checks every trace, again every second until all match or {@link #TIMEOUT}. The time runs from
     * {@code startNanos} to the start of the last check.
     */
    Visible await(List<SentTrace> traces, long tracedEventsSent, long startNanos) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<SentTrace> sample = new ArrayList<>(traces.subList(Math.max(0, traces.size() - 50), traces.size()));
        SplittableRandom random = new SplittableRandom(tracedEventsSent);
        for (int i = 0; i < 50 && !traces.isEmpty(); i++) sample.add(traces.get(random.nextInt(traces.size())));
        double lastTakenIn = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (metrics != null) {
                double takenIn = PrometheusText.sum(get(metrics), TAKEN_IN);
                if (takenIn != lastTakenIn) {
                    lastTakenIn = takenIn;
                    stableSince = System.nanoTime();
                }
                if (takenIn < tracedEventsSent && System.nanoTime() - stableSince < 5_000_000_000L) {
                    Thread.sleep(200);
                    continue;
                }
            }
            if (RecordChecker.checkViaApi(api, null, sample).allMatch()) break;
            Thread.sleep(200);
        }
        long visibleAt = System.nanoTime();
        RecordChecker.Result check = RecordChecker.checkViaApi(api, null, traces);
        while (!check.allMatch() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            visibleAt = System.nanoTime();
            check = RecordChecker.checkViaApi(api, null, traces);
        }
        return new Visible((visibleAt - startNanos) / 1e9, check);
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
