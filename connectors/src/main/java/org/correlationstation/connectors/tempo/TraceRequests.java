package org.correlationstation.connectors.tempo;

import java.util.List;

/**
 * Builds the OTLP {@code ExportTraceServiceRequest} of a batch without decoding it. {@code TracesData}
 * and {@code ExportTraceServiceRequest} both consist of field 1, {@code repeated ResourceSpans
 * resource_spans}, and a protobuf message's encoding is the concatenation of its fields' encodings; so
 * the concatenation of the messages' bytes is the request whose {@code resource_spans} are all of
 * theirs, in order, byte for byte: every resource, scope, attribute and span goes to Tempo unchanged.
 */
public final class TraceRequests {
    private TraceRequests() {}

    /** The encoded {@code ExportTraceServiceRequest} holding the {@code resource_spans} of all entries. */
    public static byte[] merge(List<TracesEntry> entries) {
        if (entries.size() == 1) {
            return entries.get(0).tracesData();
        }
        int length = 0;
        for (TracesEntry e : entries) {
            length = Math.addExact(length, e.tracesData().length);
        }
        byte[] request = new byte[length];
        int at = 0;
        for (TracesEntry e : entries) {
            System.arraycopy(e.tracesData(), 0, request, at, e.tracesData().length);
            at += e.tracesData().length;
        }
        return request;
    }

    public static int spans(List<TracesEntry> entries) {
        int spans = 0;
        for (TracesEntry e : entries) {
            spans += e.spanCount();
        }
        return spans;
    }
}
