package org.correlationstation.api.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The query string of one request, parsed strictly: every name at most once, only the names the route
 * declares, percent-encoding well formed. Values are decoded ({@code +} is a space).
 */
public final class QueryParams {
    /** More parameters than any route declares is an error, not a reason to parse further. */
    static final int MAX_PARAMETERS = 32;
    private static final Pattern SHOWABLE_NAME = Pattern.compile("[A-Za-z0-9_.\\[\\]-]{1,64}");

    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static QueryParams empty() {
        return new QueryParams(new LinkedHashMap<>());
    }

    /**
     * @param rawQuery the undecoded query string (without {@code ?}), or null
     * @param allowed the parameter names the route accepts
     * @throws ApiError 400 on malformed encoding, an unknown or a repeated parameter
     */
    public static QueryParams parse(String rawQuery, Set<String> allowed) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) return new QueryParams(values);
        List<String> pieces = new ArrayList<>();
        for (String piece : rawQuery.split("&", -1)) {
            if (!piece.isEmpty()) pieces.add(piece);
        }
        if (pieces.size() > MAX_PARAMETERS) {
            throw ApiError.invalidArgument("too many query parameters (at most " + MAX_PARAMETERS + ")");
        }
        for (String piece : pieces) {
            int eq = piece.indexOf('=');
            String rawName = eq < 0 ? piece : piece.substring(0, eq);
            String rawValue = eq < 0 ? "" : piece.substring(eq + 1);
            String name = decode(rawName, null);
            if (!allowed.contains(name)) {
                throw ApiError.invalidArgument("unknown query parameter " + show(name)
                        + (allowed.isEmpty() ? ": this route takes no parameters"
                                : "; accepted: " + String.join(", ", allowed)));
            }
            String value = decode(rawValue, name);
            if (values.putIfAbsent(name, value) != null) {
                throw ApiError.invalidArgument("query parameter '" + name + "' is repeated; give it once");
            }
        }
        return new QueryParams(values);
    }

    /** A parameter name as it may appear in a message: quoted when printable, else described. */
    static String show(String name) {
        return SHOWABLE_NAME.matcher(name).matches() ? "'" + name + "'"
                : "(a name of " + name.length() + " characters that is not shown)";
    }

    private static String decode(String raw, String parameter) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidArgument(parameter == null ? "malformed percent-encoding in a query parameter name"
                    : "query parameter '" + parameter + "' has malformed percent-encoding");
        }
    }

    public String get(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Set<String> names() {
        return values.keySet();
    }

    public int size() {
        return values.size();
    }
}
