package org.correlationstation.bench.load;

/**
 * What the generator sent for one trace, so a checker can verify the trace's correlation record:
 * span_count should be {@code spans} (less any of the {@code lateSpans} the job dropped as too late) and
 * log_count {@code logsWithSpanId + logsTraceOnly}.
 */
public record SentTrace(String traceId, String rootService, int spans, int logsWithSpanId, int logsTraceOnly,
        int errorSpans, int lateSpans) {

    static final String HEADER = "trace_id\troot_service\tspans\tlogs_with_span_id\tlogs_trace_only\terror_spans\tlate_spans";

    public int logs() {
        return logsWithSpanId + logsTraceOnly;
    }

    String toTsv() {
        return traceId + '\t' + rootService + '\t' + spans + '\t' + logsWithSpanId + '\t' + logsTraceOnly + '\t'
                + errorSpans + '\t' + lateSpans;
    }

    static SentTrace parseTsv(String line) {
        String[] f = line.split("\t");
        return new SentTrace(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                Integer.parseInt(f[5]), Integer.parseInt(f[6]));
    }
}
