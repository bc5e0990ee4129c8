package org.correlationstation.local.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.correlationstation.core.graph.GraphUpdate;

/**
 * Local mode's service-graph sink: each total into the in-memory store the API serves (the Redis
 * writer's rule: the total with more calls wins) and, at every checkpoint, the graph to
 * {@code DATA_DIR} when it changed, as {@link MemoryStoreSink} does for records: a restore re-sends
 * only the totals that changed after its checkpoint, so the rest must survive in the file. Run it with
 * parallelism 1: the snapshot is of the whole graph.
 */
public final class MemoryGraphSink implements Sink<GraphUpdate> {
    private final String storeName;

    public MemoryGraphSink(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public SinkWriter<GraphUpdate> createWriter(WriterInitContext context) {
        return new Writer(LocalStores.get(storeName));
    }

    private static final class Writer implements SinkWriter<GraphUpdate> {
        private final LocalStores.Registered target;
        private boolean dirty;

        Writer(LocalStores.Registered target) {
            this.target = target;
        }

        @Override
        public void write(GraphUpdate update, Context context) {
            target.store().putGraph(update);
            dirty = true;
        }

        @Override
        public void flush(boolean endOfInput) {
            if (!dirty) return;
            try {
                target.snapshot().writeGraph(target.store());
            } catch (IOException e) {
                throw new UncheckedIOException("could not snapshot the service graph to " + target.snapshot().graphFile(), e);
            }
            dirty = false;
        }

        @Override
        public void close() {}
    }
}
