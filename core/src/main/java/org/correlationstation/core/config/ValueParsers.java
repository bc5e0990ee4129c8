package org.correlationstation.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.correlationstation.core.logtext.TraceIdPatterns;

/** Parsers and redactors behind {@link Options}. Parsers get trimmed, non-empty text. */
final class ValueParsers {
    private ValueParsers() {}

    static ConfigOption.Parser<String> string() {
        return raw -> raw;
    }

    static ConfigOption.Parser<Integer> integer(int min, int max) {
        return raw -> {
            long v = parseLong(raw, "an integer" + range(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE));
            if (v < min || v > max) {
                throw new IllegalArgumentException("expected an integer" + range(min, max,
                        Integer.MIN_VALUE, Integer.MAX_VALUE));
            }
            return (int) v;
        };
    }

    static ConfigOption.Parser<Long> longValue(long min) {
        return raw -> {
            String expected = "an integer" + range(min, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE);
            long v = parseLong(raw, expected);
            if (v < min) {
                throw new IllegalArgumentException("expected " + expected);
            }
            return v;
        };
    }

    static ConfigOption.Parser<Double> decimal(double min, boolean minExclusive) {
        return raw -> {
            String expected = "a number " + (minExclusive ? "> " : "≥ ") + trimNumber(min);
            double v;
            try {
                v = Double.parseDouble(raw);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected " + expected);
            }
            if (Double.isNaN(v) || Double.isInfinite(v) || v < min || (minExclusive && v == min)
                    || !raw.matches("[+-]?[0-9]*\\.?[0-9]+([eE][+-]?[0-9]+)?|[+-]?[0-9]+\\.")) {
                throw new IllegalArgumentException("expected " + expected);
            }
            return v;
        };
    }

    static ConfigOption.Parser<Boolean> bool() {
        return raw -> {
            switch (raw.toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on": case "1":
                    return Boolean.TRUE;
                case "false": case "no": case "off": case "0":
                    return Boolean.FALSE;
                default:
                    throw new IllegalArgumentException("expected true or false");
            }
        };
    }

    /**
     * One of a fixed set of lowercase words (case-insensitive); {@code aliases} maps other accepted
     * spellings to one of them.
     */
    static ConfigOption.Parser<String> oneOf(String[] values, Map<String, String> aliases) {
        return raw -> {
            String v = raw.toLowerCase(Locale.ROOT);
            if (Arrays.asList(values).contains(v)) {
                return v;
            }
            if (aliases.containsKey(v)) {
                return aliases.get(v);
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", values));
        };
    }

    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*([a-zA-Z]*)");
    private static final Map<String, Long> SIZE_UNITS = new LinkedHashMap<>();

    static {
        SIZE_UNITS.put("", 1L);
        SIZE_UNITS.put("b", 1L);
        for (String u : new String[] {"k", "kb", "kib"}) SIZE_UNITS.put(u, 1L << 10);
        for (String u : new String[] {"m", "mb", "mib"}) SIZE_UNITS.put(u, 1L << 20);
        for (String u : new String[] {"g", "gb", "gib"}) SIZE_UNITS.put(u, 1L << 30);
    }

    /** A size in bytes: {@code 4194304}, or with a binary unit: {@code 512k}, {@code 4m}, {@code 4MiB}. */
    static ConfigOption.Parser<Long> bytes(long min) {
        return raw -> {
            String expected = "a size in bytes ≥ " + min + ", optionally with a unit (k, m, g; 1k = 1024)";
            Matcher m = SIZE.matcher(raw);
            if (!m.matches()) {
                throw new IllegalArgumentException("expected " + expected);
            }
            Long unit = SIZE_UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
            if (unit == null) {
                throw new IllegalArgumentException("expected " + expected);
            }
            long v;
            try {
                v = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("expected " + expected);
            }
            if (v < min) {
                throw new IllegalArgumentException("expected " + expected);
            }
            return v;
        };
    }

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    static ConfigOption.Parser<String> topic() {
        return raw -> {
            if (!TOPIC.matcher(raw).matches() || raw.equals(".") || raw.equals("..")) {
                throw new IllegalArgumentException(
                        "expected a Kafka topic name (1–249 characters of a-z A-Z 0-9 . _ -)");
            }
            return raw;
        };
    }

    /** {@code host:port[,host:port…]}. */
    static ConfigOption.Parser<String> hostPortList() {
        return raw -> {
            for (String part : raw.split(",", -1)) {
                if (!isHostPort(part.trim())) {
                    throw new IllegalArgumentException("expected host:port[,host:port…]");
                }
            }
            return raw;
        };
    }

    /** {@code host:port}, or an {@code http(s)://[user:password@]host:port} URL. */
    static ConfigOption.Parser<String> endpoint() {
        return raw -> {
            String hostPort = raw.replaceFirst("^(?i)https?://", "").replaceFirst("/+$", "");
            hostPort = hostPort.substring(hostPort.lastIndexOf('@') + 1); // basic auth's user-info
            if (!isHostPort(hostPort)) {
                throw new IllegalArgumentException("expected host:port (or http(s)://host:port)");
            }
            return raw;
        };
    }

    static ConfigOption.Parser<String> httpUrl() {
        return raw -> {
            try {
                URI uri = new URI(raw);
                String scheme = uri.getScheme();
                if (scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                        && uri.getHost() != null) {
                    return raw;
                }
            } catch (URISyntaxException e) {
                // fall through
            }
            throw new IllegalArgumentException("expected an http:// or https:// URL");
        };
    }

    /** {@code key=value,key=value} as {@link HeaderList} reads it. */
    static ConfigOption.Parser<String> headers() {
        return raw -> {
            HeaderList.parse(raw);
            return raw;
        };
    }

    private static final Pattern REDIS_SCHEME =
            Pattern.compile("(?i)(redis|rediss|redis-socket|redis-sentinel|rediss-sentinel)://.+");

    /** A Lettuce Redis URI: {@code redis://[[user:]password@]host[:port][/db]}, rediss, sentinel, socket. */
    static ConfigOption.Parser<String> redisUrl() {
        return raw -> {
            if (!REDIS_SCHEME.matcher(raw).matches()) {
                throw new IllegalArgumentException(
                        "expected a Redis URI such as redis://host:6379 or rediss://:password@host:6380/0");
            }
            return raw;
        };
    }

    /** A JSON array of trace id patterns ({@link TraceIdPatterns}); each must compile and name a trace_id group. */
    static ConfigOption.Parser<String> traceIdPatterns() {
        return raw -> {
            TraceIdPatterns.check(raw);
            return raw;
        };
    }

    private static boolean isHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return false;
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (host.startsWith("[") != host.endsWith("]")) {
            return false;
        }
        if (!host.startsWith("[") && !host.matches("[A-Za-z0-9._-]+")) {
            return false;
        }
        if (!port.matches("[0-9]{1,5}")) {
            return false;
        }
        int p = Integer.parseInt(port);
        return p >= 1 && p <= 65535;
    }

    private static long parseLong(String raw, String expected) {
        if (!raw.matches("[+-]?[0-9]+")) {
            throw new IllegalArgumentException("expected " + expected);
        }
        try {
            return Long.parseLong(raw.startsWith("+") ? raw.substring(1) : raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + expected);
        }
    }

    private static String range(long min, long max, long noMin, long noMax) {
        boolean hasMin = min != noMin;
        boolean hasMax = max != noMax;
        if (hasMin && hasMax) return " from " + min + " to " + max;
        if (hasMin) return " ≥ " + min;
        if (hasMax) return " ≤ " + max;
        return "";
    }

    private static String trimNumber(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
