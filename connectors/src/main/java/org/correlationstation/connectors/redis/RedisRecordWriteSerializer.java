package org.correlationstation.connectors.redis;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Checkpointed form of the records still buffered in a writer: only the record JSON, length-prefixed
 * (a record can exceed the 64 KiB of {@code writeUTF}); everything else is derived from it again.
 */
public final class RedisRecordWriteSerializer extends AsyncSinkWriterStateSerializer<RedisRecordWrite> {
    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(RedisRecordWrite write, DataOutputStream out) throws IOException {
        byte[] json = write.json().getBytes(StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);
    }

    @Override
    protected RedisRecordWrite deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        byte[] json = new byte[in.readInt()];
        in.readFully(json);
        return RedisRecordWrite.fromJson(new String(json, StandardCharsets.UTF_8));
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
