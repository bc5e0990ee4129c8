package org.correlationstation.api.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/** Valid correlation records (RecordCodec round-trips them), with what the store tests vary made explicit. */
final class StoreTestRecords {
    static final long BASE = RecordCodec.parseTime("2026-11-22T10:00:00.000Z");

    /** Listing order: first_seen descending, then correlation_id descending. */
    static final Comparator<CorrelationRecord> NEWEST_FIRST = Comparator
            .comparingLong((CorrelationRecord r) -> RecordCodec.parseTime(r.firstSeen)).reversed()
            .thenComparing(r -> r.correlationId, Comparator.reverseOrder());

    private final Random random;

    StoreTestRecords(long seed) {
        this.random = new Random(seed);
    }

    String traceId() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    CorrelationRecord record(long firstSeenMillis, String status, boolean hasError, String... services) {
        return record(traceId(), firstSeenMillis, status, hasError, services);
    }

    static CorrelationRecord record(String traceId, long firstSeenMillis, String status, boolean hasError,
            String... services) {
        CorrelationRecord r = new CorrelationRecord();
        r.traceId = traceId;
        r.correlationId = CorrelationIds.forTrace(traceId);
        r.status = status;
        r.version = 1;
        r.firstSeen = RecordCodec.formatTime(firstSeenMillis);
        r.lastSeen = RecordCodec.formatTime(firstSeenMillis + 840);
        r.durationMs = 840;
        List<String> sorted = new ArrayList<>(Arrays.asList(services.length == 0 ? new String[] {"checkout"} : services));
        sorted.sort(null);
        r.services = sorted;
        r.service = sorted.get(0);
        r.root = new CorrelationRecord.Root(sorted.get(0), "GET /checkout", "00f067aa0ba902b7");
        r.env = "test";
        r.spanCount = 3;
        r.logCount = 2;
        r.errorLogCount = hasError ? 1 : 0;
        r.hasError = hasError;
        r.maxSeverity = hasError ? "ERROR" : "INFO";
        r.updatedAt = RecordCodec.formatTime(firstSeenMillis + 1000);
        return r;
    }

    private static final String[] SHOP = {"checkout", "frontend", "inventory", "payments", "shipping"};

    /**
     * A record as a 20-span trace of five services makes it (the issue 22 measurements): an edge per
     * called service, and a link per span, each with its own span id, a name and a service, as the
     * record decoded from JSON holds them (no string shared between records). {@code spans} links.
     */
    CorrelationRecord traceRecord(long firstSeenMillis, int spans) {
        CorrelationRecord r = record(firstSeenMillis, "closed", false, SHOP);
        r.root = new CorrelationRecord.Root("frontend", "GET /checkout", spanId());
        r.service = "frontend";
        r.spanCount = spans;
        r.logCount = 2L * spans;
        for (int i = 0; i < SHOP.length; i++) {
            if (i != 1) r.edges.add(new CorrelationRecord.Edge("frontend", SHOP[i], 5, 0));
        }
        for (int i = 0; i < spans; i++) {
            r.links.add(new CorrelationRecord.Link(spanId(), "op-" + (i % 7) + " /api/items", SHOP[i % SHOP.length], 2,
                    i % 3 == 0 ? 1 : 0));
        }
        return RecordCodec.fromJson(RecordCodec.toJson(r));
    }

    String spanId() {
        byte[] id = new byte[8];
        random.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    static List<String> ids(List<CorrelationRecord> records) {
        return records.stream().map(r -> r.correlationId).toList();
    }
}
