package org.correlationstation.bench.ingest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of other processes from {@code /proc/<pid>/stat} (Linux): user + system time of every
 * thread, in clock ticks (10 ms each on Linux's usual {@code CLK_TCK} of 100). Read before and after a
 * measured window, the difference is what the process spent in it, whoever else shares the machine.
 */
public final class ProcCpu {
    /** Linux reports ticks of 1/100 s ({@code getconf CLK_TCK}); the bench assumes it as the JDK's tools do. */
    static final long NANOS_PER_TICK = 10_000_000L;

    private ProcCpu() {}

    /** User + system CPU nanoseconds of the process so far; -1 when it is gone. */
    public static long nanos(long pid) {
        Stat s = read(pid);
        return s == null ? -1 : s.ticks() * NANOS_PER_TICK;
    }

    /**
     * The same for the process and every live descendant (a launcher script's JVM, a child redis-server):
     * a process tree's CPU. A descendant that exited during the window loses its time from the sum,
     * so windows should not span a child's end.
     */
    public static long treeNanos(long pid) {
        Map<Long, List<Stat>> children = new HashMap<>();
        Stat root = null;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                Stat s = read(Long.parseLong(p.getFileName().toString()));
                if (s == null) continue;
                if (s.pid == pid) root = s;
                children.computeIfAbsent(s.ppid, k -> new ArrayList<>()).add(s);
            }
        } catch (IOException e) {
            return -1;
        }
        if (root == null) return -1;
        long ticks = 0;
        ArrayDeque<Stat> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            Stat s = todo.poll();
            ticks += s.ticks();
            todo.addAll(children.getOrDefault(s.pid, List.of()));
        }
        return ticks * NANOS_PER_TICK;
    }

    /**
     * The CPU of those of the process's threads whose name (as /proc shows it, cut at 15 characters)
     * contains {@code namePart}, e.g. "CompilerThre" for the JIT compiler threads; 0 when none.
     */
    public static long threadNanos(long pid, String namePart) {
        return threadGroupNanos(pid, new String[][] {{namePart}})[0];
    }

    /**
     * The same for several groups of threads in one pass over the process's threads: a thread counts in
     * the first group one of whose name parts its name contains.
     */
    public static long[] threadGroupNanos(long pid, String[][] groups) {
        long[] ticks = new long[groups.length];
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    int group = groupOf(Files.readString(task.resolve("comm")), groups);
                    if (group >= 0) ticks[group] += parse(Files.readString(task.resolve("stat"))).ticks();
                } catch (IOException | RuntimeException threadGone) {
                    // a thread that ended: its time is no longer listed
                }
            }
        } catch (IOException e) {
            // no /proc: zeros
        }
        for (int g = 0; g < ticks.length; g++) ticks[g] *= NANOS_PER_TICK;
        return ticks;
    }

    private static int groupOf(String threadName, String[][] groups) {
        for (int g = 0; g < groups.length; g++) {
            for (String part : groups[g]) {
                if (threadName.contains(part)) return g;
            }
        }
        return -1;
    }

    /** This process's own CPU, for the driver's share (the JVM's view, in nanoseconds). */
    public static long selfNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    record Stat(long pid, long ppid, long utime, long stime) {
        long ticks() {
            return utime + stime;
        }
    }

    private static Stat read(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /**
     * One {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may itself hold
     * spaces and parentheses, so the fields are counted from the last ')': state is field 3, ppid 4,
     * utime 14, stime 15.
     */
    static Stat parse(String line) {
        long pid = Long.parseLong(line.substring(0, line.indexOf(' ')));
        String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        return new Stat(pid, Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]));
    }
}
