package org.correlationstation.bench.load;

/** Which OTLP signal a batch carries: its own Kafka topic and OTLP/HTTP path. */
public enum Signal {
    SPANS("/v1/traces"),
    LOGS("/v1/logs");

    public final String otlpHttpPath;

    Signal(String otlpHttpPath) {
        this.otlpHttpPath = otlpHttpPath;
    }
}
