package org.correlationstation.connectors.tempo;

import java.io.Serializable;
import java.util.Objects;
import org.correlationstation.core.model.OtlpTraces;

/**
 * One buffered OTLP {@code TracesData} message (protobuf encoding, as it arrived) and how many spans it
 * holds: the unit the Tempo writer batches, checkpoints and, when Tempo rejects its batch, hands to the
 * dead-letter handler unchanged.
 */
public final class TracesEntry implements Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] tracesData;
    private final int spanCount;

    public TracesEntry(byte[] tracesData, int spanCount) {
        this.tracesData = Objects.requireNonNull(tracesData, "tracesData");
        this.spanCount = Math.max(0, spanCount);
    }

    public static TracesEntry of(OtlpTraces traces) {
        return new TracesEntry(traces.tracesData, traces.spanCount);
    }

    /** The original message; not copied, do not modify. */
    public byte[] tracesData() {
        return tracesData;
    }

    public int spanCount() {
        return spanCount;
    }
}
