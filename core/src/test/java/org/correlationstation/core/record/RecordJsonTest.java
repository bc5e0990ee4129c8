package org.correlationstation.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The streamed record JSON is byte for byte the data-bound one, nulls, escapes and empty lists included. */
class RecordJsonTest {
    @Test
    void streamedEqualsBoundForRandomRecords() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 5_000; i++) {
            CorrelationRecord r = random(random);
            String json = RecordCodec.toJson(r);
            assertThat(json).isEqualTo(RecordCodec.toJsonByBinding(r));
            assertThat(RecordCodec.toJson(RecordCodec.fromJson(json))).isEqualTo(json);
        }
    }

    @Test
    void sameContentIgnoresTheVersionAndUpdatedAtOnly() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 5_000; i++) {
            CorrelationRecord r = random(random);
            byte[] json = RecordCodec.toJsonBytes(r);
            CorrelationRecord rewritten = RecordCodec.fromJson(json);
            rewritten.version = random.nextLong();
            rewritten.updatedAt = text(random);
            assertThat(RecordCodec.sameContent(json, RecordCodec.toJsonBytes(rewritten))).isTrue();
            rewritten.spanCount++;
            assertThat(RecordCodec.sameContent(json, RecordCodec.toJsonBytes(rewritten))).isFalse();
            CorrelationRecord other = random(random);
            other.version = r.version;
            other.updatedAt = r.updatedAt;
            byte[] otherJson = RecordCodec.toJsonBytes(other);
            assertThat(RecordCodec.sameContent(json, otherJson)).isEqualTo(Arrays.equals(json, otherJson));

            long version = random.nextLong();
            CorrelationRecord versioned = RecordCodec.fromJson(json);
            versioned.version = version;
            assertThat(RecordCodec.withVersion(json, version)).isEqualTo(RecordCodec.toJsonBytes(versioned));
        }
    }

    @Test
    void anEmptyRecordToo() {
        CorrelationRecord r = new CorrelationRecord();
        assertThat(RecordCodec.toJson(r)).isEqualTo(RecordCodec.toJsonByBinding(r));
        r.services = null;
        r.edges = null;
        r.links = null;
        assertThat(RecordCodec.toJson(r)).isEqualTo(RecordCodec.toJsonByBinding(r));
    }

    private static CorrelationRecord random(SplittableRandom random) {
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = text(random);
        r.traceId = text(random);
        r.legacyTraceId = text(random);
        r.status = random.nextBoolean() ? CorrelationRecord.OPEN : CorrelationRecord.CLOSED;
        r.version = random.nextLong();
        r.firstSeen = text(random);
        r.lastSeen = text(random);
        r.durationMs = random.nextLong();
        r.root = random.nextBoolean() ? null : new CorrelationRecord.Root(text(random), text(random), text(random));
        r.service = text(random);
        r.services = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) r.services.add(text(random));
        r.env = text(random);
        r.spanCount = random.nextLong(1_000_000);
        r.logCount = random.nextLong(1_000_000);
        r.errorSpanCount = random.nextInt(100);
        r.errorLogCount = random.nextInt(100);
        r.maxSeverity = text(random);
        r.hasError = random.nextBoolean();
        r.edges = new ArrayList<>(List.of());
        for (int i = random.nextInt(3); i > 0; i--) {
            r.edges.add(new CorrelationRecord.Edge(text(random), text(random), random.nextLong(), random.nextLong()));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            r.links.add(new CorrelationRecord.Link(text(random), text(random), text(random), random.nextLong(), random.nextLong()));
        }
        r.lateEvents = random.nextLong(10);
        r.truncated = random.nextBoolean();
        r.updatedAt = text(random);
        r.schemaVersion = random.nextInt(3);
        return r;
    }

    /** Null, plain, with characters JSON must escape, or with the record's own keys in it. */
    private static String text(SplittableRandom random) {
        return switch (random.nextInt(5)) {
            case 0 -> null;
            case 1 -> "svc-" + random.nextInt(100);
            case 2 -> "quote \" backslash \\ newline \n tab \t ctrl \u0001 é ✓ 😀";
            case 3 -> "\"version\":1,\"updated_at\":\"x\"}"; // what sameContent looks for, inside a string
            default -> "";
        };
    }
}
