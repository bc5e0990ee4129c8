package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** W3C trace context: continued when valid, started when absent or invalid; on every response. */
class ApiTraceparentTest {
    static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String PARENT = "00f067aa0ba902b7";
    static ApiTestSupport api;

    @BeforeAll
    static void start() {
        api = ApiTestSupport.start(Map.of(), ApiTestSupport.memoryStore());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void validTraceparentIsContinuedWithANewSpan() {
        for (String flags : List.of("01", "00")) {
            Matcher m = traceparent(api.get("/api/correlations", "traceparent", "00-" + TRACE + "-" + PARENT + "-" + flags));
            assertThat(m.group(1)).isEqualTo(TRACE);
            assertThat(m.group(2)).isNotEqualTo(PARENT).isNotEqualTo("0".repeat(16));
            assertThat(m.group(3)).isEqualTo(flags);
        }
        // Also on errors.
        Matcher err = traceparent(api.get("/api/correlations?limit=0", "traceparent", "00-" + TRACE + "-" + PARENT + "-01"));
        assertThat(err.group(1)).isEqualTo(TRACE);
    }

    @Test
    void absentOrInvalidTraceparentStartsANewTrace() {
        Matcher a = traceparent(api.get("/health/live"));
        Matcher b = traceparent(api.get("/health/live"));
        assertThat(a.group(1)).isNotEqualTo(b.group(1)).isNotEqualTo("0".repeat(32));
        for (String invalid : List.of("00-" + "0".repeat(32) + "-" + PARENT + "-01", "00-" + TRACE + "-" + "0".repeat(16) + "-01",
                "ff-" + TRACE + "-" + PARENT + "-01", "00-" + TRACE.toUpperCase() + "-" + PARENT + "-01",
                "00-" + TRACE + "-" + PARENT, "garbage", "00-" + TRACE + "-" + PARENT + "-01-extra")) {
            Matcher m = traceparent(api.get("/health/live", "traceparent", invalid));
            assertThat(m.group(1)).as(invalid).isNotEqualTo(TRACE);
        }
    }

    private static Matcher traceparent(HttpResponse<String> r) {
        String header = r.headers().firstValue("traceparent").orElseThrow(() -> new AssertionError("no traceparent"));
        Matcher m = TRACEPARENT.matcher(header);
        assertThat(m.matches()).as(header).isTrue();
        assertThat(m.group(1)).isNotEqualTo("0".repeat(32));
        assertThat(m.group(2)).isNotEqualTo("0".repeat(16));
        return m;
    }
}
