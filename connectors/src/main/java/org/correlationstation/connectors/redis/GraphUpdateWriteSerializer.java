package org.correlationstation.connectors.redis;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphUpdate;

/**
 * Checkpointed form of graph totals still buffered in a writer (none after a checkpoint's flush, but the
 * format is the sink's contract): the bucket, then the element and its counts as Redis stores them.
 */
public final class GraphUpdateWriteSerializer extends AsyncSinkWriterStateSerializer<GraphUpdate> {
    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(GraphUpdate u, DataOutputStream out) throws IOException {
        out.writeLong(u.bucketStartMillis());
        write(out, GraphCodec.field(u.key()));
        write(out, GraphCodec.value(u.counts()));
    }

    @Override
    protected GraphUpdate deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        long bucket = in.readLong();
        return new GraphUpdate(bucket, GraphCodec.key(read(in)), GraphCodec.counts(read(in)));
    }

    private static void write(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String read(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
