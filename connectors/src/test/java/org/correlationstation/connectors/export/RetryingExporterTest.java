package org.correlationstation.connectors.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The delivery loop against a scripted transport: which answers lead to which waits and outcomes. */
class RetryingExporterTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Deque<AttemptResult> script = new ArrayDeque<>();
    private final List<Long> attemptTimes = new ArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private RetryingExporter<String> exporter(int attempts, CircuitBreaker breaker) {
        ExportOptions options = new ExportOptions(10, Duration.ofMillis(10), 1, attempts, Duration.ofMillis(10),
                Duration.ofMillis(40), Duration.ofSeconds(2), true, 2, Duration.ofMillis(300));
        ExportMetrics metrics = new ExportMetrics(new UnregisteredMetricsGroup(), "test", breaker::state);
        return new RetryingExporter<>("test", batch -> {
            synchronized (attemptTimes) {
                attemptTimes.add(System.nanoTime());
            }
            AttemptResult next;
            synchronized (script) {
                next = script.isEmpty() ? AttemptResult.delivered("200") : script.poll();
            }
            return CompletableFuture.completedFuture(next);
        }, options, breaker, metrics, scheduler);
    }

    @Test
    void retriesUntilDelivered() throws Exception {
        script.add(AttemptResult.retry("500", null, "boom"));
        script.add(AttemptResult.retry("503", null, "boom"));
        var outcome = exporter(5, new CircuitBreaker(true, 5, Duration.ofSeconds(1))).export("b", 3).get(10, TimeUnit.SECONDS);
        assertThat(outcome.delivered()).isTrue();
        assertThat(attemptTimes).hasSize(3);
    }

    @Test
    void aRejectedBatchIsReportedNotRetried() throws Exception {
        script.add(AttemptResult.rejected("400", "entry too far behind"));
        var outcome = exporter(5, new CircuitBreaker(true, 5, Duration.ofSeconds(1))).export("b", 3).get(10, TimeUnit.SECONDS);
        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.answer()).isEqualTo("entry too far behind");
        assertThat(attemptTimes).hasSize(1);
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        script.add(AttemptResult.retry("429", Duration.ofMillis(400), "slow down"));
        exporter(5, new CircuitBreaker(true, 5, Duration.ofSeconds(1))).export("b", 1).get(10, TimeUnit.SECONDS);
        assertThat(attemptTimes).hasSize(2);
        assertThat(attemptTimes.get(1) - attemptTimes.get(0)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
    }

    @Test
    void afterTheAttemptsTheBreakerOpensAndTheBatchIsRetriedAfterTheCoolDown() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(true, 2, Duration.ofMillis(300));
        for (int i = 0; i < 4; i++) script.add(AttemptResult.retry("503", null, "down")); // two rounds of two
        var outcome = exporter(2, breaker).export("b", 1).get(10, TimeUnit.SECONDS);
        assertThat(outcome.delivered()).as("never dropped").isTrue();
        assertThat(attemptTimes).hasSize(5);
        assertThat(attemptTimes.get(4) - attemptTimes.get(3))
                .as("the probe waits for the recovery timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.CLOSED);
    }

    @Test
    void halfOpenLetsExactlyOneProbeThrough() {
        CircuitBreaker breaker = new CircuitBreaker(true, 1, Duration.ofMillis(100));
        breaker.onFailure(1000);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.OPEN);
        assertThat(breaker.tryAcquire(1050)).isFalse();
        assertThat(breaker.tryAcquire(1100)).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.HALF_OPEN);
        assertThat(breaker.tryAcquire(1101)).isFalse();
        breaker.onFailure(1200);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.OPEN);
        assertThat(breaker.tryAcquire(1300)).isTrue();
        breaker.onSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.CLOSED);
    }

    @Test
    void retryAfterParsesSecondsAndDates() {
        assertThat(RetryAfter.parse("3", 0)).contains(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470000L)).contains(Duration.ofSeconds(10));
        assertThat(RetryAfter.parse("soon", 0)).isEmpty();
    }
}
