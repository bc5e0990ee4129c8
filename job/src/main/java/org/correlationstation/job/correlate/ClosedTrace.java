package org.correlationstation.job.correlate;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.correlationstation.job.types.CompactEncoding;

/**
 * A closed trace's tracked spans, log fingerprints, link table and counted edges as one state value
 * ({@code closed-trace}, {@link ClosedTraceSerializer}), in place of the five values an open trace keeps
 * them in. A closed trace is held for late events until its clean-up, an hour by default: most of the
 * state a correlator holds is closed traces, and those five values repeated each span's id up to four
 * times (id set, span list, link table, counted edges), each under a key of its own
 * (docs/semantics.md, "State"). The span ids set is not stored: it is the tracked spans' canonical ids.
 */
final class ClosedTrace {
    final Map<String, SpanInfo> spans;
    final long[] fingerprints;
    final Map<String, LinkCounts> links;
    final long[] edgesCounted;

    ClosedTrace(Map<String, SpanInfo> spans, long[] fingerprints, Map<String, LinkCounts> links, long[] edgesCounted) {
        this.spans = spans;
        this.fingerprints = fingerprints;
        this.links = links;
        this.edgesCounted = edgesCounted;
    }

    /** The tracked spans' ids that are 16 hex digits, sorted: the {@code span-id-set} of an open trace. */
    static long[] spanIds(Map<String, SpanInfo> spans) {
        long[] ids = new long[spans.size()];
        int n = 0;
        for (String id : spans.keySet()) {
            if (CompactEncoding.isHexId(id, 16)) ids[n++] = HexFormat.fromHexDigitsToLong(id);
        }
        long[] out = n == ids.length ? ids : Arrays.copyOf(ids, n);
        Arrays.sort(out);
        return out;
    }
}
