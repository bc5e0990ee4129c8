package org.correlationstation.connectors.tempo;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/** Checkpointed form of the messages still buffered in a Tempo writer: span count, length, bytes. */
public final class TracesEntrySerializer extends AsyncSinkWriterStateSerializer<TracesEntry> {
    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(TracesEntry entry, DataOutputStream out) throws IOException {
        out.writeInt(entry.spanCount());
        out.writeInt(entry.tracesData().length);
        out.write(entry.tracesData());
    }

    @Override
    protected TracesEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        int spans = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new TracesEntry(data, spans);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
