package org.correlationstation.connectors.redis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/** Correlation records for the Redis tests: valid, with only what a test varies made explicit. */
final class TestRecords {
    static final long FIRST_SEEN = RecordCodec.parseTime("2026-11-22T10:00:00.000Z");

    private TestRecords() {}

    static String newTraceId() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** An open record with {@code spans} spans and no logs, version 1, of the given services. */
    static CorrelationRecord record(String traceId, long spans, String... services) {
        CorrelationRecord r = new CorrelationRecord();
        r.traceId = traceId;
        r.correlationId = CorrelationIds.forTrace(traceId);
        r.status = CorrelationRecord.OPEN;
        r.version = 1;
        r.firstSeen = RecordCodec.formatTime(FIRST_SEEN);
        r.lastSeen = RecordCodec.formatTime(FIRST_SEEN + 840);
        r.durationMs = 840;
        List<String> sorted = new ArrayList<>(Arrays.asList(services.length == 0 ? new String[] {"checkout"} : services));
        sorted.sort(null);
        r.services = sorted;
        r.service = sorted.get(0);
        r.root = new CorrelationRecord.Root(sorted.get(0), "GET /checkout", "00f067aa0ba902b7");
        r.env = "test";
        r.spanCount = spans;
        r.maxSeverity = "INFO";
        r.updatedAt = RecordCodec.formatTime(FIRST_SEEN + 1000);
        return r;
    }

    static CorrelationRecord copy(CorrelationRecord r) {
        return RecordCodec.fromJson(RecordCodec.toJson(r));
    }
}
