package org.correlationstation.local.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.correlationstation.core.record.CorrelationRecord;

/**
 * Local mode's record sink: puts each record into the in-memory store the API serves (the same
 * compare-and-set rule as the Redis sink) and, at every checkpoint, adds the records the store took since
 * the last one to the store's snapshot under {@code DATA_DIR} ({@link StoreSnapshot#flush}). The
 * snapshot taken before checkpoint N's barrier holds every record emitted before it, and a restore
 * from N re-emits the rest, so the store survives restarts. Run it with parallelism 1: the snapshot is
 * of the whole store.
 */
public final class MemoryStoreSink implements Sink<CorrelationRecord> {
    private final String storeName;

    public MemoryStoreSink(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public SinkWriter<CorrelationRecord> createWriter(WriterInitContext context) {
        return new Writer(LocalStores.get(storeName));
    }

    private static final class Writer implements SinkWriter<CorrelationRecord> {
        private final LocalStores.Registered target;

        Writer(LocalStores.Registered target) {
            this.target = target;
        }

        @Override
        public void write(CorrelationRecord record, Context context) {
            if (target.store().put(record) >= 0) target.snapshot().changed(record.correlationId);
        }

        @Override
        public void flush(boolean endOfInput) {
            try {
                target.snapshot().flush(target.store());
            } catch (IOException e) {
                // Failing the checkpoint is right: a snapshot that was not written cannot back it.
                throw new UncheckedIOException("could not snapshot the in-memory store to " + target.snapshot().directory(), e);
            }
        }

        @Override
        public void close() {}
    }
}
