package org.correlationstation.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the generator sent for one trace, so a checker can verify the trace's correlation record:
 * span_count should be {@code spans} (less any of the {@code lateSpans} the job dropped as too late) and
 * log_count {@code logsWithSpanId + logsTraceOnly}; and the service graph: {@code edges} holds the
 * trace's parent→child pairs of different services as {@code parent>child:calls:errors}, comma-separated
 * (service names are the generator's, without those characters).
 */
public record SentTrace(String traceId, String rootService, int spans, int logsWithSpanId, int logsTraceOnly,
        int errorSpans, int lateSpans, String edges) {

    static final String HEADER =
            "trace_id\troot_service\tspans\tlogs_with_span_id\tlogs_trace_only\terror_spans\tlate_spans\tedges";

    public int logs() {
        return logsWithSpanId + logsTraceOnly;
    }

    /** The edges as "parent>child" → {calls, errors}. */
    public Map<String, long[]> edgeCounts() {
        Map<String, long[]> out = new LinkedHashMap<>();
        if (edges.isEmpty()) return out;
        for (String e : edges.split(",")) {
            String[] f = e.split(":");
            out.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
        return out;
    }

    String toTsv() {
        return traceId + '\t' + rootService + '\t' + spans + '\t' + logsWithSpanId + '\t' + logsTraceOnly + '\t'
                + errorSpans + '\t' + lateSpans + '\t' + edges;
    }

    /** A manifest line; one written before edges were recorded reads with none. */
    static SentTrace parseTsv(String line) {
        String[] f = line.split("\t", -1);
        return new SentTrace(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                Integer.parseInt(f[5]), Integer.parseInt(f[6]), f.length > 7 ? f[7] : "");
    }
}
