package org.correlationstation.core.graph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a graph element is stored in its bucket's Redis hash: the field is a JSON array, {@code ["svc"]}
 * for a node and {@code ["parent","child"]} for an edge (any service name, unambiguous); the value is
 * {@code {"calls":N,"errors":E,"duration_us_sum":S,"buckets":[…],"counts":[…]}}, the
 * {@link DurationHistogram}'s buckets and their counts.
 */
public final class GraphCodec {
    /** Trailing tokens refused too: a field or value is one JSON document, nothing after it. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private GraphCodec() {}

    public static String field(GraphKey key) {
        ArrayNode a = JSON.createArrayNode();
        if (key.isEdge()) a.add(key.parent());
        a.add(key.service());
        return a.toString();
    }

    public static GraphKey key(String field) {
        JsonNode a = read(field);
        if (!a.isArray() || a.size() < 1 || a.size() > 2 || !a.get(0).isTextual() || !a.get(a.size() - 1).isTextual()) {
            throw new IllegalArgumentException("not a graph field: " + field);
        }
        return a.size() == 1 ? GraphKey.node(a.get(0).asText()) : GraphKey.edge(a.get(0).asText(), a.get(1).asText());
    }

    public static String value(GraphCounts c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("calls", c.calls);
        o.put("errors", c.errors);
        o.put("duration_us_sum", c.durationMicrosSum);
        ArrayNode buckets = o.putArray("buckets");
        ArrayNode counts = o.putArray("counts");
        int[] b = c.durations.buckets();
        long[] n = c.durations.counts();
        for (int i = 0; i < b.length; i++) {
            buckets.add(b[i]);
            counts.add(n[i]);
        }
        return o.toString();
    }

    /**
     * The counts of a stored value. Strict: every number must be an integer of its range and no count
     * negative, so that a value written by something else is refused (the reader skips it) instead of
     * being read as zeros ({@code asLong()} of a string is 0).
     */
    public static GraphCounts counts(String value) {
        JsonNode o = read(value);
        JsonNode buckets = o.path("buckets");
        JsonNode counts = o.path("counts");
        if (!count(o.path("calls")) || !count(o.path("errors")) || !count(o.path("duration_us_sum"))
                || !buckets.isArray() || !counts.isArray() || buckets.size() != counts.size()) {
            throw new IllegalArgumentException("not graph counts: " + value);
        }
        int[] b = new int[buckets.size()];
        long[] n = new long[counts.size()];
        for (int i = 0; i < b.length; i++) {
            JsonNode bucket = buckets.get(i);
            if (!bucket.isIntegralNumber() || !bucket.canConvertToInt() || !count(counts.get(i))) {
                throw new IllegalArgumentException("not graph counts: " + value);
            }
            b[i] = bucket.asInt();
            n[i] = counts.get(i).asLong();
        }
        return new GraphCounts(o.path("calls").asLong(), o.path("errors").asLong(), o.path("duration_us_sum").asLong(),
                DurationHistogram.of(b, n));
    }

    private static boolean count(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0;
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }
}
