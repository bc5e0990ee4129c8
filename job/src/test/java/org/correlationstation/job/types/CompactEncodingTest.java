package org.correlationstation.job.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CompactEncodingTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void lowercaseHexIdsAreWrittenAsTheirRawBytesAndReadBack() throws IOException {
        Random random = new Random(26);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[i % 2 == 0 ? 8 : 16];
            random.nextBytes(raw);
            if (i == 0) Arrays.fill(raw, (byte) 0xFF);
            String id = HEX.formatHex(raw);
            byte[] written = write(id);
            assertThat(written).hasSize(1 + raw.length);
            assertThat(written[0]).isEqualTo((byte) (raw.length == 8 ? 1 : 2));
            assertThat(Arrays.copyOfRange(written, 1, written.length)).isEqualTo(raw);
            assertThat(read(written)).isEqualTo(id);
            assertThat(CompactEncoding.isHexId(id, raw.length * 2)).isTrue();
        }
    }

    @Test
    void anythingElseIsKeptAsText() throws IOException {
        String valid = "0123456789abcdef0123456789abcdef";
        String[] others = {
            "", "abc", valid.substring(0, 15), valid.substring(0, 17), valid.substring(0, 31), valid + "0",
            "0123456789ABCDEF", "0123456789abcdeg", "/123456789abcdef", ":123456789abcdef", "`123456789abcdef",
            "0123456789abcde\u0100", "0123456789abcde\uFF10", "0123456789abcdef0123456789abcdeF",
            "0123456789abcdef012345678 abcdef", "trace-1", "ünïcödé-span-id!"
        };
        for (String id : others) {
            byte[] written = write(id);
            assertThat(written[0]).as(id).isEqualTo((byte) 3);
            assertThat(read(written)).isEqualTo(id);
            assertThat(CompactEncoding.isHexId(id, 16) || CompactEncoding.isHexId(id, 32)).as(id).isFalse();
        }
        assertThat(read(write(null))).isNull();
    }

    private static byte[] write(String id) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        CompactEncoding.writeId(out, id);
        return out.getCopyOfBuffer();
    }

    private static String read(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        String id = CompactEncoding.readId(in);
        assertThat(in.available()).isZero();
        return id;
    }
}
