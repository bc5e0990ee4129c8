package org.correlationstation.connectors.export;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPEC §7's delivery loop for one batch: up to {@code retryAttempts} requests with exponential backoff
 * and jitter (never sooner than a {@code Retry-After}); then the request counts as one failure for the
 * circuit breaker, and the loop starts over after the cool-down — for as long as it takes. The
 * returned future completes only when the backend accepted the batch, or rejected it as invalid
 * (for the DLQ). Nothing is dropped; a caller that keeps the batch's slot while waiting backpressures.
 *
 * @param <B> the batch type the transport sends
 */
public final class RetryingExporter<B> {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingExporter.class);

    private final String backend;
    private final Function<B, CompletionStage<AttemptResult>> transport;
    private final ExportOptions options;
    private final CircuitBreaker breaker;
    private final ExportMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    /** Outcome of a batch: delivered, or rejected with the backend's answer. */
    public record Outcome(boolean delivered, String status, String answer) {}

    public RetryingExporter(String backend, Function<B, CompletionStage<AttemptResult>> transport, ExportOptions options,
            CircuitBreaker breaker, ExportMetrics metrics, ScheduledExecutorService scheduler) {
        this.backend = backend;
        this.transport = transport;
        this.options = options;
        this.breaker = breaker;
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    public CompletableFuture<Outcome> export(B batch, int records) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        attempt(batch, records, 1, outcome);
        return outcome;
    }

    /** Stops scheduling retries: the task is going away, and unacknowledged data replays from the checkpoint. */
    public void close() {
        closed = true;
    }

    private void attempt(B batch, int records, int attempt, CompletableFuture<Outcome> outcome) {
        if (closed) return;
        long now = System.currentTimeMillis();
        if (!breaker.tryAcquire(now)) {
            later(() -> attempt(batch, records, attempt, outcome), breaker.nextAttemptAt(now) - now);
            return;
        }
        // A half-open breaker's probe is one request: if it fails, the breaker re-opens at once. (Retrying
        // it first would leave the breaker half-open with its probe slot taken: every retry refused, forever.)
        boolean probe = breaker.state() == CircuitBreaker.HALF_OPEN;
        long started = System.nanoTime();
        CompletableFuture<AttemptResult> sent;
        try {
            sent = transport.apply(batch).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.orTimeout(options.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS).whenComplete((result, error) -> {
            AttemptResult r = error == null ? result
                    : AttemptResult.retry("error", null, rootMessage(error));
            metrics.attempt(r.status(), records, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            switch (r.disposition()) {
                case DELIVERED -> {
                    breaker.onSuccess();
                    outcome.complete(new Outcome(true, r.status(), null));
                }
                case REJECTED -> {
                    breaker.onSuccess();
                    LOG.warn("{} rejected a batch of {} records ({}): {}", backend, records, r.status(), r.answer());
                    outcome.complete(new Outcome(false, r.status(), r.answer()));
                }
                case RETRY -> retry(batch, records, probe ? options.retryAttempts() : attempt, outcome, r);
            }
        });
    }

    private void retry(B batch, int records, int attempt, CompletableFuture<Outcome> outcome, AttemptResult r) {
        long backoff = Backoff.delay(attempt, options.retryDelay().toMillis(), options.maxRetryDelay().toMillis());
        long wait = Math.max(backoff, r.retryAfter() == null ? 0 : r.retryAfter().toMillis());
        if (attempt < options.retryAttempts()) {
            LOG.debug("{} attempt {} failed ({}), retrying in {} ms", backend, attempt, r.status(), wait);
            later(() -> attempt(batch, records, attempt + 1, outcome), wait);
        } else {
            breaker.onFailure(System.currentTimeMillis());
            LOG.warn("{} failed {} attempts ({}: {}); will retry after {} ms (circuit breaker {})", backend, attempt,
                    r.status(), r.answer(), wait, breaker.state());
            later(() -> attempt(batch, records, 1, outcome), wait);
        }
    }

    private void later(Runnable action, long delayMillis) {
        if (closed) return;
        try {
            scheduler.schedule(action, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            LOG.debug("{} exporter closing; not rescheduling", backend);
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable e = error;
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** For logs and tests. */
    public Duration timeout() {
        return options.timeout();
    }
}
