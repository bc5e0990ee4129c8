package org.correlationstation.core.logtext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Finds the trace id a log names in its text ({@code LOG_TRACE_ID_PATTERNS}, docs/semantics.md "Trace ids
 * in log bodies"): legacy loggers print {@code trace_id=…} into the message instead of setting OTLP trace
 * context. Each pattern has a named group {@code trace_id} (32 hex digits) and may have one named
 * {@code span_id} (16 hex digits). The patterns are compiled once, here; a search reads at most the first
 * {@code LOG_TRACE_ID_SCAN_BYTES} bytes of a text.
 *
 * <p>In one text the match that starts first wins, over all patterns; at the same position, the pattern
 * listed first. A match whose trace id is not 32 hex digits or is all zero does not count (the search goes
 * on); a span id that is not 16 hex digits or is all zero is left out. Ids come back lowercase, as OTLP's.
 * Immutable and thread-safe; {@link Serializable} (a {@link Pattern} recompiles itself when read), so a
 * Flink source can carry it.
 */
public final class TraceIdPatterns implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String TRACE_ID_GROUP = "trace_id";
    public static final String SPAN_ID_GROUP = "span_id";

    /**
     * {@code trace_id=<32 hex>} (also quoted, as logfmt quotes), {@code trace_id: <32 hex>}, JSON's
     * {@code "traceId":"<32 hex>"} (or {@code "trace_id"}), and a W3C {@code traceparent} value
     * {@code 00-<32 hex>-<16 hex>-<2 hex>}, which names the span too. No {@code |} in them: the default is
     * shown in a Markdown table (docs/configuration.md).
     */
    public static final String DEFAULT_JSON = "["
            + "\"trace_id=\\\"?(?<trace_id>[0-9a-fA-F]{32})(?![0-9a-fA-F])\", "
            + "\"trace_id: *(?<trace_id>[0-9a-fA-F]{32})(?![0-9a-fA-F])\", "
            + "\"\\\"trace_?[iI]d\\\" *: *\\\"(?<trace_id>[0-9a-fA-F]{32})\\\"\", "
            + "\"00-(?<trace_id>[0-9a-f]{32})-(?<span_id>[0-9a-f]{16})-[0-9a-f]{2}(?![0-9a-fA-F])\""
            + "]";

    /** No patterns: nothing is searched. */
    public static final TraceIdPatterns NONE = new TraceIdPatterns(new Pattern[0], new String[0], new String[0], 0);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXAMPLE = "[\"trace_id=(?<trace_id>[0-9a-f]{32})\"]";

    private final Pattern[] patterns;
    /** Per pattern, the Java name of its trace id group and of its span id group (null: none). */
    private final String[] traceGroups;
    private final String[] spanGroups;
    private final int scanBytes;

    private TraceIdPatterns(Pattern[] patterns, String[] traceGroups, String[] spanGroups, int scanBytes) {
        this.patterns = patterns;
        this.traceGroups = traceGroups;
        this.spanGroups = spanGroups;
        this.scanBytes = scanBytes;
    }

    /**
     * Compiles the patterns of a {@code LOG_TRACE_ID_PATTERNS} value.
     *
     * @param json a JSON array of regular expressions; {@code []} turns the search off
     * @param scanBytes how much of each text is read ({@code LOG_TRACE_ID_SCAN_BYTES}), ≥ 1
     * @throws IllegalArgumentException saying what is wrong with which pattern
     */
    public static TraceIdPatterns compile(String json, long scanBytes) {
        if (scanBytes < 1) throw new IllegalArgumentException("scanBytes must be ≥ 1: " + scanBytes);
        List<String> sources = list(json);
        Pattern[] patterns = new Pattern[sources.size()];
        String[] traceGroups = new String[sources.size()];
        String[] spanGroups = new String[sources.size()];
        for (int i = 0; i < patterns.length; i++) {
            String source = sources.get(i);
            String which = "pattern " + (i + 1) + " (" + source + ")";
            NamedGroups groups;
            try {
                groups = NamedGroups.of(source);
                patterns[i] = Pattern.compile(groups.javaPattern);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(which + " is not a valid regular expression: " + e.getDescription());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(which + " is not a valid regular expression: " + e.getMessage());
            }
            traceGroups[i] = groups.javaName(TRACE_ID_GROUP);
            spanGroups[i] = groups.javaName(SPAN_ID_GROUP);
            if (traceGroups[i] == null || !hasGroup(patterns[i], traceGroups[i])) {
                throw new IllegalArgumentException(which + " has no named group trace_id: write (?<trace_id>…)"
                        + " around the id, e.g. " + EXAMPLE);
            }
            if (spanGroups[i] != null && !hasGroup(patterns[i], spanGroups[i])) spanGroups[i] = null;
        }
        return new TraceIdPatterns(patterns, traceGroups, spanGroups, (int) Math.min(Integer.MAX_VALUE, scanBytes));
    }

    /**
     * Checks a {@code LOG_TRACE_ID_PATTERNS} value as {@link #compile} would.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void check(String json) {
        compile(json, 1);
    }

    /** Whether there is nothing to search with ({@code []}). */
    public boolean isEmpty() {
        return patterns.length == 0;
    }

    /** The ids the first match in the first {@code LOG_TRACE_ID_SCAN_BYTES} bytes of {@code text} names, or null. */
    public TextIds find(CharSequence text) {
        if (patterns.length == 0 || text == null || text.length() == 0) return null;
        int end = charsWithin(text, scanBytes);
        TextIds found = null;
        int foundAt = Integer.MAX_VALUE;
        for (int i = 0; i < patterns.length; i++) {
            // Opaque bounds (the default): not even a look-ahead reads past the bound. Anchoring bounds off:
            // '$' must not match where the bound cuts the text.
            Matcher m = patterns[i].matcher(text).region(0, end).useAnchoringBounds(false);
            while (m.find() && m.start() < foundAt) {
                String traceId = hexId(m.group(traceGroups[i]), 32);
                if (traceId == null) continue;
                String spanId = spanGroups[i] == null ? null : hexId(m.group(spanGroups[i]), 16);
                found = new TextIds(traceId, spanId);
                foundAt = m.start();
                break;
            }
        }
        return found;
    }

    /**
     * How many chars of {@code text} fit in {@code maxBytes} bytes of UTF-8: a character that does not fit
     * whole is left out, and nothing after the bound is looked at.
     */
    static int charsWithin(CharSequence text, int maxBytes) {
        int n = text.length();
        if ((long) n * 3 <= maxBytes) return n; // a char is at most 3 bytes (a surrogate pair 4 for 2 chars)
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1));
            int width = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
            if (bytes + width > maxBytes) return i;
            bytes += width;
            if (pair) i++;
        }
        return n;
    }

    private static List<String> list(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("expected a JSON array of regular expressions, e.g. " + EXAMPLE
                    + " ([] turns the search off)");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            if (!element.isTextual() || element.asText().isEmpty()) {
                throw new IllegalArgumentException("element " + (i + 1) + " of the array is not a regular expression"
                        + " (a non-empty JSON string)");
            }
            out.add(element.asText());
        }
        return out;
    }

    /**
     * Whether the compiled pattern has the group (Java 17 has no API that lists a pattern's groups, and a
     * matcher answers only after a match): a pattern made to match the empty string is asked. The newline
     * ends a comment of {@code (?x)} mode before the group closes.
     */
    private static boolean hasGroup(Pattern pattern, String javaName) {
        Matcher m;
        try {
            m = Pattern.compile("(?:" + pattern.pattern() + "\n)|").matcher("");
        } catch (PatternSyntaxException e) {
            return true; // an unterminated \Q quote swallows the wrapper: trust the renaming
        }
        if (!m.find()) return false;
        try {
            m.group(javaName);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The id lowercase when it is {@code digits} hex digits and not all zero, else null. */
    private static String hexId(String s, int digits) {
        if (s == null || s.length() != digits) return null;
        boolean zero = true;
        for (int i = 0; i < digits; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return null;
            zero &= c == '0';
        }
        return zero ? null : s.toLowerCase(Locale.ROOT);
    }
}
