package org.correlationstation.connectors.redis;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link IndexTrimmer} round every trim interval on lettuce's executors, never on the task
 * thread, one round at a time (the next is scheduled when the last finished). A failed round (Redis
 * down) is just logged: the next round does the same work.
 */
final class IndexTrimSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexTrimSchedule.class);

    private final RedisConnector connector;
    private final RedisSinkOptions options;
    private ScheduledFuture<?> next;
    private boolean closed;

    private IndexTrimSchedule(RedisConnector connector, RedisSinkOptions options) {
        this.connector = connector;
        this.options = options;
    }

    static IndexTrimSchedule start(RedisConnector connector, RedisSinkOptions options) {
        IndexTrimSchedule schedule = new IndexTrimSchedule(connector, options);
        schedule.scheduleNext();
        return schedule;
    }

    private synchronized void scheduleNext() {
        if (closed) {
            return;
        }
        try {
            next = connector.scheduler().schedule(this::runRound, options.indexTrimInterval().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            closed = true;
        }
    }

    private void runRound() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        // On the records' pipelined connection: a page's commands of one step go out in one write.
        connector.pipeline()
                .thenCompose(pipeline -> new IndexTrimmer(pipeline.commands(), pipeline.flush(), options.trimPageSize())
                        .trimDue(System.currentTimeMillis()))
                .whenComplete((pruned, error) -> {
                    if (error != null) {
                        if (!isClosed()) {
                            LOG.warn("Index trim on {} failed, next round in {}: {}", connector.endpoint(),
                                    options.indexTrimInterval(), error.toString());
                        }
                    } else if (pruned > 0) {
                        LOG.debug("Index trim removed {} expired records from the indexes", pruned);
                    }
                    scheduleNext();
                });
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
    }
}
