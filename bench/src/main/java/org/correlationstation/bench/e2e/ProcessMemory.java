package org.correlationstation.bench.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.correlationstation.bench.ingest.ProcCpu;

/**
 * This JVM's memory as the soak reports it: heap used, heap after GC, resident set size;
 * and what else the bench reads about the machine and this process.
 */
record ProcessMemory(long heapUsedBytes, long heapAfterGcBytes, long rssBytes) {

    /** Heap after GC: the lowest after any collection since the previous call ({@link HeapAfterGc}). */
    static ProcessMemory now() {
        return new ProcessMemory(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                HeapAfterGc.get().lowestSinceLastRead(), rss());
    }

    /** VmRSS from /proc (Linux); 0 elsewhere. */
    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /**
     * CPU time of this JVM's JIT compiler threads so far (Linux: /proc, in clock ticks of 10 ms; 0 elsewhere).
     * Not the JVM's own compilation time, which counts the time a compiler thread waited for a core too.
     */
    static long compilerCpuNanos() {
        return ProcCpu.threadNanos(ProcessHandle.current().pid(), "CompilerThre"); // "C2 CompilerThre", cut at 15
    }

    /**
     * RocksDB's background threads in this JVM so far (Linux: /proc; zeros elsewhere): CPU seconds and bytes
     * written of compactions ({@code rocksdb:low}) and of memtable flushes ({@code rocksdb:high}). Every
     * RocksDB instance of the process shares them, so in a job's soak they are the job's.
     */
    static double[] rocksDbBackground() {
        double[] totals = new double[4]; // compaction CPU s, compaction bytes written, flush CPU s, flush bytes written
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    int at = comm.equals("rocksdb:low") ? 0 : comm.equals("rocksdb:high") ? 2 : -1;
                    if (at < 0) continue;
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    totals[at] += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
                    for (String line : Files.readAllLines(task.resolve("io"))) {
                        if (line.startsWith("wchar:")) totals[at + 1] += Long.parseLong(line.substring(6).trim());
                    }
                } catch (IOException | RuntimeException threadGone) {
                    // a thread that ended: its time is no longer listed
                }
            }
        } catch (IOException e) {
            return totals;
        }
        return totals;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }
}
