package org.correlationstation.bench.load;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** {@code --name value} arguments; {@link #rejectUnknown} names any option no one asked for (a typo). */
public final class CommandLine {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> read = new HashSet<>();

    public CommandLine(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    public String get(String name, String fallback) {
        read.add(name);
        return values.getOrDefault(name, fallback);
    }

    public long getLong(String name, long fallback) {
        return Long.parseLong(get(name, Long.toString(fallback)));
    }

    public int getInt(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)));
    }

    public double getDouble(String name, double fallback) {
        return Double.parseDouble(get(name, Double.toString(fallback)));
    }

    public void rejectUnknown() {
        Set<String> unknown = new HashSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) throw new IllegalArgumentException("unknown options: --" + String.join(", --", unknown));
    }

    /** The traffic shape from {@code --services}, {@code --spans-per-trace}, … (defaults: {@link TrafficProfile#defaults()}). */
    public TrafficProfile profile() {
        TrafficProfile d = TrafficProfile.defaults();
        return new TrafficProfile(
                getInt("services", d.services()),
                getInt("spans-per-trace", d.spansPerTrace()),
                getDouble("long-tail-share", d.longTailShare()),
                getInt("max-spans-per-trace", d.maxSpansPerTrace()),
                getDouble("logs-per-span", d.logsPerSpan()),
                getDouble("logs-without-span-id", d.logsWithoutSpanId()),
                getDouble("logs-without-trace-id", d.logsWithoutTraceId()),
                getDouble("error-rate", d.errorRate()),
                getLong("out-of-order-ms", d.outOfOrderMs()),
                getDouble("late-share", d.lateShare()),
                getLong("late-ms", d.lateMs()),
                getInt("batch-size", d.batchSize()),
                getLong("batch-timeout-ms", d.batchTimeoutMs()));
    }
}
