package org.correlationstation.connectors.loki;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Checkpointed form of entries still buffered in a writer (normally none: the writer flushes at every
 * checkpoint). Strings are length-prefixed UTF-8 (a line can exceed writeUTF's 64 KiB); -1 is null.
 */
public final class LokiEntrySerializer extends AsyncSinkWriterStateSerializer<LokiEntry> {
    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(LokiEntry e, DataOutputStream out) throws IOException {
        write(e, out);
    }

    @Override
    protected LokiEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        return read(in);
    }

    /** The entry's fields in this format, also how the job hands entries across the network. */
    public static void write(LokiEntry e, DataOutput out) throws IOException {
        writeString(out, e.serviceName);
        writeString(out, e.deploymentEnvironment);
        writeString(out, e.level);
        out.writeLong(e.timestampNanos);
        writeString(out, e.line);
        Map<String, String> meta = e.structuredMetadata == null ? Map.of() : e.structuredMetadata;
        out.writeInt(meta.size());
        for (Map.Entry<String, String> m : meta.entrySet()) {
            writeString(out, m.getKey());
            writeString(out, m.getValue());
        }
    }

    public static LokiEntry read(DataInput in) throws IOException {
        LokiEntry e = new LokiEntry();
        e.serviceName = readString(in);
        e.deploymentEnvironment = readString(in);
        e.level = readString(in);
        e.timestampNanos = in.readLong();
        e.line = readString(in);
        int n = in.readInt();
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            meta.put(readString(in), readString(in));
        }
        e.structuredMetadata = meta;
        return e;
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
