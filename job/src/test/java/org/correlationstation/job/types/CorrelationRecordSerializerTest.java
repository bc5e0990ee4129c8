package org.correlationstation.job.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.Test;

class CorrelationRecordSerializerTest {
    private static final CorrelationRecordSerializer SERIALIZER = CorrelationRecordSerializer.INSTANCE;

    @Test
    void everyFieldSurvivesSerialisationAndCopy() throws Exception {
        CorrelationRecord r = full();
        assertThat(roundTrip(r)).usingRecursiveComparison().isEqualTo(r);
        assertThat(RecordCodec.toJson(roundTrip(r))).isEqualTo(RecordCodec.toJson(r));
        CorrelationRecord copy = SERIALIZER.copy(r);
        assertThat(copy).usingRecursiveComparison().isEqualTo(r);
        copy.links.get(0).logCount++;
        copy.services.add("other");
        assertThat(r.links.get(0).logCount).as("a deep copy").isEqualTo(7);
        assertThat(r.services).hasSize(2);
    }

    @Test
    void defaultsAndNullsSurvive() throws Exception {
        CorrelationRecord empty = new CorrelationRecord();
        assertThat(roundTrip(empty)).usingRecursiveComparison().isEqualTo(empty);
        empty.services = null;
        empty.edges = null;
        empty.links = null;
        empty.status = null;
        assertThat(roundTrip(empty)).usingRecursiveComparison().isEqualTo(empty);
        assertThat(SERIALIZER.copy(empty)).usingRecursiveComparison().isEqualTo(empty);
    }

    @Test
    void theTestRecordSetsEveryField() throws Exception {
        // a field added to the record must be added to the serializer (and to full() here)
        CorrelationRecord r = full();
        CorrelationRecord fresh = new CorrelationRecord();
        List<String> unset = new ArrayList<>();
        for (Field f : CorrelationRecord.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            if (java.util.Objects.equals(f.get(r), f.get(fresh))) unset.add(f.getName());
        }
        assertThat(unset).isEmpty();
    }

    private static CorrelationRecord full() {
        CorrelationRecord r = new CorrelationRecord();
        r.schemaVersion = 3;
        r.correlationId = "c-4bf92f3577b34da6a3ce929d0e0e4736";
        r.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        r.legacyTraceId = "legacy-ü";
        r.status = CorrelationRecord.CLOSED;
        r.version = 4;
        r.firstSeen = "2026-11-24T05:30:00.123Z";
        r.lastSeen = "2026-11-24T05:30:01.456Z";
        r.durationMs = 1333;
        r.root = new CorrelationRecord.Root("frontend", "GET /", "00f067aa0ba902b7");
        r.service = "frontend";
        r.services = new ArrayList<>(Arrays.asList("checkout", "frontend"));
        r.env = "prod";
        r.spanCount = 28;
        r.logCount = 60;
        r.errorSpanCount = 2;
        r.errorLogCount = 3;
        r.maxSeverity = "ERROR";
        r.hasError = true;
        r.edges = new ArrayList<>(List.of(new CorrelationRecord.Edge("frontend", "checkout", 3, 1)));
        r.links = new ArrayList<>(List.of(new CorrelationRecord.Link("53995c3f42cd8ad8", "charge", "checkout", 7, 2),
                new CorrelationRecord.Link("not-hex", null, "checkout", 1, 0)));
        r.lateEvents = 5;
        r.truncated = true;
        r.updatedAt = "2026-11-24T05:30:02.000Z";
        return r;
    }

    private static CorrelationRecord roundTrip(CorrelationRecord r) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        SERIALIZER.serialize(r, out);
        return SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
