package org.correlationstation.connectors.testutil;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.apache.flink.util.function.ThrowingRunnable;
import org.apache.flink.util.function.SupplierWithException;

/**
 * Stands in for a Flink task thread: it owns a mailbox and runs its mails one at a time (the test's
 * actions, timer callbacks, async completions), as a StreamTask's mailbox loop does. Sink writers
 * must be created and called on it, because a writer's {@code flush} yields to the mailbox, which
 * only its own thread may do; the test thread stays free to watch and to cause outages.
 */
public final class MailboxThread implements AutoCloseable {
    private final Thread thread;
    private final TaskMailbox mailbox;
    private final MailboxExecutorImpl executor;
    private final AtomicReference<Throwable> uncaught = new AtomicReference<>();
    private volatile boolean running = true;

    public MailboxThread(String name) {
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.mailbox = new TaskMailboxImpl(thread);
        this.executor = new MailboxExecutorImpl(mailbox, TaskMailbox.MIN_PRIORITY, StreamTaskActionExecutor.IMMEDIATE);
        this.thread.start();
    }

    private void loop() {
        try {
            runMails();
        } finally {
            mailbox.quiesce();
            mailbox.close();
        }
    }

    private void runMails() {
        while (running) {
            try {
                Mail mail = mailbox.take(TaskMailbox.MIN_PRIORITY);
                mail.run();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                // What a task would fail with (e.g. a sink's fatal exception): kept for the test to see.
                uncaught.compareAndSet(null, t);
            }
        }
    }

    public MailboxExecutor executor() {
        return executor;
    }

    /** Runs {@code action} on the mailbox thread; the future completes with its result. */
    public <T> CompletableFuture<T> submit(SupplierWithException<T, ? extends Exception> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "test action");
        return result;
    }

    public CompletableFuture<Void> run(ThrowingRunnable<? extends Exception> action) {
        return submit(() -> {
            action.run();
            return null;
        });
    }

    /** Runs {@code action} on the mailbox thread and waits for it. */
    public <T> T call(SupplierWithException<T, ? extends Exception> action, Duration timeout) throws Exception {
        try {
            return submit(action).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("mailbox action did not finish within " + timeout, e);
        }
    }

    /** The first exception a mail threw outside a test action (what would have failed the task), if any. */
    public Throwable uncaught() {
        return uncaught.get();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            executor.execute(() -> running = false, "stop");
        } catch (RuntimeException alreadyClosed) {
            return;
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
        if (thread.isAlive()) { // stuck in an action (a flush that never returns): interrupt it
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
