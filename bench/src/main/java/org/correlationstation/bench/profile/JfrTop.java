package org.correlationstation.bench.profile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * The top costs in a JFR recording (JDK 17's {@code jfr} has no {@code view}): CPU samples by the method
 * on top of the stack (self), by every method on the stack (total), and by thread; allocation by the
 * allocating method. Usage: {@code bench/jfr-top.sh FILE [N] [THREAD-NAME-PART] [FOCUS-METHOD]}: with a focus
 * method (e.g. {@code TraceCorrelator.emit}), also what that method's time is spent in, by the methods it
 * calls directly and by everything beneath it (a flame graph's slice without the graph).
 */
public final class JfrTop {
    private JfrTop() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        String threadFilter = args.length > 2 ? args[2] : "";
        String focus = args.length > 3 ? args[3] : null;
        Map<String, Long> focusCallees = new HashMap<>();
        Map<String, Long> focusBeneath = new HashMap<>();
        long focusSamples = 0;
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> allocation = new HashMap<>();
        long samples = 0;
        long allocated = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                RecordedStackTrace stack = e.getStackTrace();
                if (type.equals("jdk.ExecutionSample") && stack != null && !stack.getFrames().isEmpty()) {
                    String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
                    if (thread == null || !thread.contains(threadFilter)) continue;
                    samples++;
                    List<RecordedFrame> frames = stack.getFrames();
                    self.merge(name(frames.get(0)), 1L, Long::sum);
                    frames.stream().map(JfrTop::name).distinct().forEach(m -> total.merge(m, 1L, Long::sum));
                    threads.merge(thread == null ? "?" : thread.replaceAll("\\d+", "N"), 1L, Long::sum);
                    int at = focus == null ? -1 : indexOfOutermost(frames, focus);
                    if (at >= 0) {
                        focusSamples++;
                        focusCallees.merge(at == 0 ? "(self)" : name(frames.get(at - 1)), 1L, Long::sum);
                        frames.subList(0, at).stream().map(JfrTop::name).distinct()
                                .forEach(m -> focusBeneath.merge(m, 1L, Long::sum));
                    }
                } else if ((type.equals("jdk.ObjectAllocationSample")) && stack != null && !stack.getFrames().isEmpty()) {
                    long weight = e.getLong("weight");
                    allocated += weight;
                    allocation.merge(name(stack.getFrames().get(0)), weight, Long::sum);
                }
            }
        }
        System.out.printf("%,d CPU samples%n", samples);
        print("self CPU (top of stack)", self, samples, n, "%");
        print("total CPU (anywhere on the stack)", total, samples, n, "%");
        print("CPU by thread", threads, samples, n, "%");
        print("allocation by allocating method", allocation, allocated, n, "% of sampled bytes");
        if (focus != null) {
            System.out.printf("%n%,d samples (%.1f%% of all) have %s on the stack%n", focusSamples,
                    100.0 * focusSamples / Math.max(1, samples), focus);
            print("its direct callees (% of its samples)", focusCallees, focusSamples, n, "%");
            print("everything beneath it (% of its samples)", focusBeneath, focusSamples, n, "%");
        }
    }

    /** The outermost frame (nearest the thread's start) whose name ends with {@code method}; -1 if none. */
    private static int indexOfOutermost(List<RecordedFrame> frames, String method) {
        for (int i = frames.size() - 1; i >= 0; i--) {
            if (name(frames.get(i)).endsWith(method)) return i;
        }
        return -1;
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Long> counts, long all, int n, String unit) {
        System.out.println("\n## " + title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> System.out.printf("%6.2f %s  %s%n", 100.0 * e.getValue() / Math.max(1, all), unit.startsWith("%") ? "%" : "", e.getKey()));
    }
}
