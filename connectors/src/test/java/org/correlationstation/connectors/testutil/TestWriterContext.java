package org.correlationstation.connectors.testutil;

import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.runtime.metrics.groups.MetricsGroupTestUtils;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * A sink writer's init context for tests, bound to a {@link MailboxThread}: timers fire in real time
 * and run through the mailbox, as in a task; metrics are readable through {@link #metrics()}; the
 * subtask index is chosen by the test. (connector-base's TestSinkInitContext needs
 * flink-connector-test-utils, and its processing time is manual and shared by all instances.)
 */
public final class TestWriterContext implements WriterInitContext, AutoCloseable {
    private final MailboxThread task;
    private final int subtask;
    private final int parallelism;
    private final MetricListener metrics = new MetricListener();
    private final SinkWriterMetricGroup metricGroup = MetricsGroupTestUtils.mockWriterMetricGroup(metrics.getMetricGroup());
    private final ScheduledThreadPoolExecutor timers;

    public TestWriterContext(MailboxThread task) {
        this(task, 0, 1);
    }

    public TestWriterContext(MailboxThread task, int subtask, int parallelism) {
        this.task = task;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.timers = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = Executors.defaultThreadFactory().newThread(runnable);
            t.setDaemon(true);
            t.setName("test-processing-time");
            return t;
        });
        this.timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
        return task.executor();
    }

    @Override
    public ProcessingTimeService getProcessingTimeService() {
        return new ProcessingTimeService() {
            @Override
            public long getCurrentProcessingTime() {
                return System.currentTimeMillis();
            }

            @Override
            public ScheduledFuture<?> registerTimer(long time, ProcessingTimeCallback callback) {
                long delay = Math.max(0, time - System.currentTimeMillis());
                return timers.schedule(
                        () -> task.executor().execute(() -> callback.onProcessingTime(time), "timer %s", time),
                        delay, TimeUnit.MILLISECONDS);
            }
        };
    }

    @Override
    public SinkWriterMetricGroup metricGroup() {
        return metricGroup;
    }

    @Override
    public TaskInfo getTaskInfo() {
        return new TaskInfoImpl("test-sink", Math.max(parallelism, 128), subtask, parallelism, 0);
    }

    @Override
    public JobInfo getJobInfo() {
        return new JobInfoImpl(new JobID(), "test-job");
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
        return OptionalLong.empty();
    }

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
        return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
        throw new UnsupportedOperationException("not needed by the sinks under test");
    }

    @Override
    public boolean isObjectReuseEnabled() {
        return false;
    }

    @Override
    public <IN> TypeSerializer<IN> createInputSerializer() {
        throw new UnsupportedOperationException("not needed by the sinks under test");
    }

    /** The metrics the writer registered, looked up by their group path and name. */
    public MetricListener metrics() {
        return metrics;
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
