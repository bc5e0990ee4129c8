package org.correlationstation.bench.load;

/** Where generated batches go: Kafka topics or an OTLP receiver. Sends asynchronously and counts outcomes. */
public interface OtlpTarget extends AutoCloseable {
    void send(OtlpBatch batch);

    /** Batches acknowledged by the target. */
    long acknowledged();

    /** Batches the target failed or refused. */
    long errors();

    /** Waits until everything sent so far is acknowledged or failed. */
    void flush() throws Exception;

    @Override
    void close() throws Exception;
}
