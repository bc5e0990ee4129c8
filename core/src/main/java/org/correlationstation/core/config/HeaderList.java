package org.correlationstation.core.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Extra request headers as {@code OTEL_EXPORTER_OTLP_HEADERS} gives them (OTel specification, "Specify
 * headers"): {@code key=value,key=value}, keys and values trimmed, values percent-decoded, so that a bearer
 * token is {@code Authorization=Bearer%20<token>} and a comma in a value is {@code %2C}. Used by
 * {@code LOKI_HEADERS} and {@code TEMPO_HEADERS}; the values are secrets.
 */
public final class HeaderList {
    private HeaderList() {}

    /** An HTTP header name (RFC 9110 token), which gRPC metadata keys are too (lowercased on the wire). */
    private static final Pattern NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    /**
     * The headers in the order given; a later one of the same name (case-insensitive) replaces an earlier
     * one. Empty items ({@code a=1,,b=2}) are skipped.
     *
     * @throws IllegalArgumentException without the values in the message (they may be credentials)
     */
    public static Map<String, String> parse(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (text == null) {
            return headers;
        }
        List<String> problems = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            if (item.isBlank()) {
                continue;
            }
            int eq = item.indexOf('=');
            String name = eq < 0 ? item.trim() : item.substring(0, eq).trim();
            if (eq < 0 || !NAME.matcher(name).matches()) {
                problems.add(eq < 0 ? "an item without '='" : "a header name that is not a token");
                continue;
            }
            String value;
            try {
                // '+' stays a plus: the OTel format is percent-encoding, not form encoding
                value = URLDecoder.decode(item.substring(eq + 1).trim().replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException badEscape) {
                problems.add("a malformed %-escape in the value of " + name);
                continue;
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                problems.add("a line break or NUL in the value of " + name);
                continue;
            }
            headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
            headers.put(name, value);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("expected key=value[,key=value…] with %-encoded values; found "
                    + String.join(", ", problems));
        }
        return Collections.unmodifiableMap(headers);
    }

    /** {@code Authorization=***,X-Scope-OrgID=***}: names kept, every value hidden (malformed items entirely). */
    public static String redact(String text) {
        List<String> out = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            int eq = item.indexOf('=');
            String name = eq < 0 ? "" : item.substring(0, eq).trim();
            // a name that is not a token may be a mistyped secret ("Authorization: Bearer x=…"): hidden too
            out.add(NAME.matcher(name).matches() ? name + "=" + ConfigOption.REDACTED : ConfigOption.REDACTED);
        }
        return String.join(",", out);
    }
}
