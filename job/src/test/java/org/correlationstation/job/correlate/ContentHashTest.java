package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.correlationstation.core.record.CorrelationRecord;
import org.junit.jupiter.api.Test;

class ContentHashTest {
    /** The emitter sets these two after hashing; they are not content. */
    private static final Set<String> NOT_CONTENT = Set.of("version", "updatedAt");

    @Test
    void everyContentFieldChangesTheHashAndVersionAndUpdatedAtDoNot() throws Exception {
        CorrelationRecord base = record();
        long hash = ContentHash.of(base);
        assertThat(ContentHash.of(record())).isEqualTo(hash);
        List<String> checked = new ArrayList<>();
        for (Field f : CorrelationRecord.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            CorrelationRecord changed = record();
            change(changed, f);
            if (NOT_CONTENT.contains(f.getName())) {
                assertThat(ContentHash.of(changed)).as(f.getName()).isEqualTo(hash);
            } else {
                assertThat(ContentHash.of(changed)).as(f.getName()).isNotEqualTo(hash);
            }
            checked.add(f.getName());
        }
        assertThat(checked).hasSizeGreaterThan(20);
        // and inside the nested parts
        CorrelationRecord r = record();
        r.root.operation = "other";
        assertThat(ContentHash.of(r)).isNotEqualTo(hash);
        r = record();
        r.edges.get(0).errors++;
        assertThat(ContentHash.of(r)).isNotEqualTo(hash);
        r = record();
        r.links.get(0).inferredLogCount++;
        assertThat(ContentHash.of(r)).isNotEqualTo(hash);
        r = record();
        r.services = List.of("checkout", "gateway"); // same strings, other order
        assertThat(ContentHash.of(r)).isNotEqualTo(hash);
    }

    private static void change(CorrelationRecord r, Field f) throws Exception {
        Class<?> t = f.getType();
        if (t == long.class) f.setLong(r, f.getLong(r) + 1);
        else if (t == int.class) f.setInt(r, f.getInt(r) + 1);
        else if (t == boolean.class) f.setBoolean(r, !f.getBoolean(r));
        else if (t == String.class) f.set(r, f.get(r) + "x");
        else if (t == CorrelationRecord.Root.class) f.set(r, null);
        else if (t == List.class) ((List<?>) f.get(r)).remove(0);
        else throw new AssertionError("no change for " + f);
    }

    private static CorrelationRecord record() {
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = "corr-1";
        r.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        r.legacyTraceId = "legacy";
        r.version = 3;
        r.firstSeen = "2026-11-24T00:00:00.000Z";
        r.lastSeen = "2026-11-24T00:00:01.000Z";
        r.durationMs = 1000;
        r.root = new CorrelationRecord.Root("gateway", "GET /checkout", "00f067aa0ba902b7");
        r.service = "gateway";
        r.services = new ArrayList<>(List.of("gateway", "checkout"));
        r.env = "prod";
        r.spanCount = 3;
        r.logCount = 4;
        r.errorSpanCount = 1;
        r.errorLogCount = 1;
        r.maxSeverity = "ERROR";
        r.hasError = true;
        r.edges = new ArrayList<>(List.of(new CorrelationRecord.Edge("gateway", "checkout", 1, 0)));
        r.links = new ArrayList<>(List.of(new CorrelationRecord.Link("00f067aa0ba902b7", "GET /checkout", "gateway", 2, 1)));
        r.lateEvents = 0;
        r.truncated = false;
        r.updatedAt = "2026-11-24T00:00:02.000Z";
        return r;
    }
}
