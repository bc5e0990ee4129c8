package org.correlationstation.core.model;

/**
 * One OTLP {@code TracesData} message as it arrived, in protobuf encoding: what goes on to Tempo, so
 * that resources, scopes and attributes are forwarded unchanged rather than rebuilt from events.
 */
public class OtlpTraces {
    public byte[] tracesData;
    public int spanCount;

    public OtlpTraces() {}

    public OtlpTraces(byte[] tracesData, int spanCount) {
        this.tracesData = tracesData;
        this.spanCount = spanCount;
    }
}
