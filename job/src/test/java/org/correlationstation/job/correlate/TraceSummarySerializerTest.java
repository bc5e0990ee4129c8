package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.correlationstation.core.record.CorrelationIds;
import org.junit.jupiter.api.Test;

/** Layout 5's compact fields: every value comes back, however far from its base (StateTypesTest covers the rest). */
class TraceSummarySerializerTest {

    @Test
    void everyTimeComesBackFromEveryBase() throws Exception {
        long[] special = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
            1_790_000_000_000L, 1_790_000_000_000_000_000L};
        Random random = new Random(26);
        DataOutputSerializer out = new DataOutputSerializer(1024);
        long[][] pairs = new long[special.length * special.length + 2000][];
        int n = 0;
        for (long value : special) for (long base : special) pairs[n++] = new long[] {value, base};
        for (int i = 0; i < 2000; i++) pairs[n++] = new long[] {random.nextLong(), random.nextLong()};
        for (long[] p : pairs) TraceSummarySerializer.writeTime(out, p[0], p[1]);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (long[] p : pairs) assertThat(TraceSummarySerializer.readTime(in, p[1])).isEqualTo(p[0]);
        assertThat(in.available()).isZero();
    }

    @Test
    void aTimeNearItsBaseTakesAFewBytes() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TraceSummarySerializer.writeTime(out, 1_790_000_012_345L, 1_790_000_000_000L); // 12 s later, in ms
        assertThat(out.length()).isEqualTo(3);
    }

    @Test
    void correlationIdsComeBackAsTheyWere() throws Exception {
        String[] ids = {CorrelationIds.forTrace("4bf92f3577b34da6a3ce929d0e0e4736"), "0B7B0A52-4A2C-5C3E-8F55-7A0E8E3F1C11",
            "legacy-correlation-7", "", null, "0b7b0a52-4a2c-5c3e-8f55-7a0e8e3f1c1"};
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (String id : ids) TraceSummarySerializer.writeCorrelationId(out, id);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (String id : ids) assertThat(TraceSummarySerializer.readCorrelationId(in)).isEqualTo(id);
        assertThat(in.available()).isZero();
        DataOutputSerializer one = new DataOutputSerializer(64);
        TraceSummarySerializer.writeCorrelationId(one, ids[0]);
        assertThat(one.length()).as("a UUID as its 16 bytes and a tag").isEqualTo(17);
    }
}
