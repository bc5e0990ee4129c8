package org.correlationstation.core.logtext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** LOG_TRACE_ID_PATTERNS: what the default patterns find, which match wins, how far they read, what is refused. */
class TraceIdPatternsTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_UPPER = "4BF92F3577B34DA6A3CE929D0E0E4736";
    private static final String OTHER = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final TraceIdPatterns DEFAULTS = TraceIdPatterns.compile(TraceIdPatterns.DEFAULT_JSON, 4096);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "payment failed trace_id=" + TRACE + " user=42",
            "payment failed trace_id=\"" + TRACE + "\" user=42",
            "payment failed trace_id: " + TRACE,
            "payment failed trace_id:" + TRACE,
            "{\"level\":\"error\",\"traceId\":\"" + TRACE + "\",\"msg\":\"payment failed\"}",
            "{\"level\": \"error\", \"trace_id\": \"" + TRACE + "\"}"})
    void eachDefaultPatternWithoutSpanIdFindsTheTraceId(String text) {
        assertThat(DEFAULTS.find(text)).isEqualTo(new TextIds(TRACE, null));
    }

    @Test
    void aTraceparentGivesTheSpanIdToo() {
        assertThat(DEFAULTS.find("GET /pay headers={'traceparent': '00-" + TRACE + "-" + SPAN + "-01'}"))
                .isEqualTo(new TextIds(TRACE, SPAN));
    }

    @Test
    void idsAreLowercase() {
        assertThat(DEFAULTS.find("trace_id=" + TRACE_UPPER)).isEqualTo(new TextIds(TRACE, null));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "trace_id=" + TRACE + "0",                          // 33 hex digits: not a trace id
            "trace_id=" + "4bf92f3577b34da6a3ce929d0e0e473",    // 31
            "trace_id=00000000000000000000000000000000",        // all zero: OTLP's "no trace id"
            "traceparent: 00-00000000000000000000000000000000-" + SPAN + "-01",
            "traceparent: 00-" + TRACE_UPPER + "-" + SPAN + "-01", // W3C: lowercase only
            "trace-id=" + TRACE,
            "no ids here"})
    void whatIsNoTraceId(String text) {
        assertThat(DEFAULTS.find(text)).isNull();
    }

    @Test
    void anAllZeroIdDoesNotStopTheSearch() {
        assertThat(DEFAULTS.find("trace_id=00000000000000000000000000000000 retry trace_id=" + TRACE))
                .isEqualTo(new TextIds(TRACE, null));
    }

    @Test
    void anAllZeroSpanIdIsLeftOutButTheTraceIdKept() {
        assertThat(DEFAULTS.find("00-" + TRACE + "-0000000000000000-01")).isEqualTo(new TextIds(TRACE, null));
    }

    /** First = earliest position in the text over all patterns, whatever their order in the list. */
    @Test
    void theFirstIdInTheTextWins() {
        assertThat(DEFAULTS.find("trace_id=" + TRACE + " caused by traceparent 00-" + OTHER + "-" + SPAN + "-01"))
                .isEqualTo(new TextIds(TRACE, null));
        assertThat(DEFAULTS.find("traceparent 00-" + OTHER + "-" + SPAN + "-01 after trace_id=" + TRACE))
                .isEqualTo(new TextIds(OTHER, SPAN));
        assertThat(DEFAULTS.find("trace_id: " + OTHER + " then trace_id=" + TRACE)).isEqualTo(new TextIds(OTHER, null));
    }

    @Test
    void atTheSamePositionThePatternListedFirstWins() {
        String json = "[\"x=(?<trace_id>[0-9a-f]{32})\", \"x=(?<trace_id>[0-9a-f]{32})-(?<span_id>[0-9a-f]{16})\"]";
        assertThat(TraceIdPatterns.compile(json, 4096).find("x=" + TRACE + "-" + SPAN)).isEqualTo(new TextIds(TRACE, null));
    }

    @Test
    void onlyTheFirstScanBytesAreRead() {
        TraceIdPatterns p = TraceIdPatterns.compile(TraceIdPatterns.DEFAULT_JSON, 64);
        String id = "trace_id=" + TRACE; // 41 bytes
        assertThat(p.find("x".repeat(23) + id)).as("ends at byte 64").isNotNull();
        assertThat(p.find("x".repeat(24) + id)).as("ends at byte 65").isNull();
        // Bytes of UTF-8, not chars: 12 'é' are 24 bytes, 12 chars.
        assertThat(p.find("é".repeat(11) + id)).as("22 + 41 bytes").isNotNull();
        assertThat(p.find("é".repeat(12) + id)).as("24 + 41 bytes").isNull();
        // Not even a look-ahead reads past the bound: a 33rd hex digit just after it goes unseen.
        assertThat(p.find("x".repeat(23) + id + "0")).isNotNull();
    }

    @Test
    void aMegabyteBodyIsSearchedOnlyAtItsStart() {
        String filler = "lorem ipsum ".repeat(90_000); // ~1 MB
        assertThat(DEFAULTS.find("trace_id=" + TRACE + " " + filler)).isEqualTo(new TextIds(TRACE, null));
        assertThat(DEFAULTS.find(filler + " trace_id=" + TRACE)).isNull();
        assertThat(DEFAULTS.find(filler.substring(0, 4096 - 41) + "trace_id=" + TRACE + filler))
                .as("an id ending exactly at byte 4096").isEqualTo(new TextIds(TRACE, null));
    }

    @CsvSource(delimiter = '|', value = {
            "abc|10|3",
            "abc|2|2",
            "ééé|5|2",      // 2 bytes each
            "€€|5|1",       // 3 bytes each
            "𝄞x|4|2",       // a surrogate pair: 4 bytes for 2 chars
            "𝄞x|3|0",       // the pair is never split
    })
    @ParameterizedTest
    void charsWithinCountsUtf8Bytes(String text, int maxBytes, int chars) {
        assertThat(TraceIdPatterns.charsWithin(text, maxBytes)).isEqualTo(chars);
        assertThat(text.substring(0, chars).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(maxBytes);
    }

    @Test
    void pythonStyleGroupsAndUnderscoresInNamesAreAccepted() {
        // Java allows neither (?P<…>) nor '_' in group names; the old service's patterns used both.
        TraceIdPatterns p = TraceIdPatterns.compile(
                "[\"req=(?P<req_id>\\\\d+) tid=(?P<trace_id>[0-9a-f]{32}) sid=(?<span_id>[0-9a-f]{16}) again=(?P=req_id)\"]",
                4096);
        assertThat(p.find("req=7 tid=" + TRACE + " sid=" + SPAN + " again=7")).isEqualTo(new TextIds(TRACE, SPAN));
        assertThat(p.find("req=7 tid=" + TRACE + " sid=" + SPAN + " again=8")).isNull();
        // Escapes, quotes and classes are not group syntax: left as they are.
        TraceIdPatterns literal = TraceIdPatterns.compile(
                "[\"[(?<x>]\\\\(?<y>\\\\Q(?<z>\\\\E(?<trace_id>[0-9a-f]{32})\"]", 4096);
        assertThat(literal.find("x<y>(?<z>" + TRACE)).isEqualTo(new TextIds(TRACE, null));
        // A ']' first in a class is a literal (Java's reading): the class goes on to the next ']'.
        TraceIdPatterns bracket = TraceIdPatterns.compile("[\"[](?<x>]+(?<trace_id>[0-9a-f]{32})\"]", 4096);
        assertThat(bracket.find("](x" + TRACE)).isEqualTo(new TextIds(TRACE, null));
    }

    @Test
    void anEmptyListTurnsTheSearchOff() {
        TraceIdPatterns none = TraceIdPatterns.compile("[]", 4096);
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.find("trace_id=" + TRACE)).isNull();
        assertThat(DEFAULTS.isEmpty()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "trace_id=(?<trace_id>[0-9a-f]{32})|expected a JSON array of regular expressions",
            "{\"p\": \"x\"}|expected a JSON array of regular expressions",
            "[1]|element 1 of the array is not a regular expression",
            "[\"\"]|element 1 of the array is not a regular expression",
            "[\"(?<trace_id>[0-9a-f]{32})\", \"trace_id=(?<trace_id>[0-9a-f]{32}\"]|pattern 2 (trace_id=(?<trace_id>[0-9a-f]{32}) is not a valid regular expression: Unclosed group",
            "[\"trace_id=([0-9a-f]{32})\"]|pattern 1 (trace_id=([0-9a-f]{32})) has no named group trace_id",
            "[\"(?<traceid>[0-9a-f]{32})\"]|has no named group trace_id",
            "[\"(?<trace-id>[0-9a-f]{32})\"]|pattern 1 ((?<trace-id>[0-9a-f]{32})) is not a valid regular expression: group name",
    })
    void invalidValuesAreRefusedSayingWhy(String json, String reason) {
        assertThatThrownBy(() -> TraceIdPatterns.check(json))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }

    /** A decoder is shipped to the TaskManagers serialised: its patterns must work after the trip. */
    @Test
    void survivesJavaSerialisation() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(DEFAULTS);
        }
        TraceIdPatterns back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (TraceIdPatterns) in.readObject();
        }
        assertThat(back.find("00-" + TRACE + "-" + SPAN + "-01")).isEqualTo(new TextIds(TRACE, SPAN));
    }
}
