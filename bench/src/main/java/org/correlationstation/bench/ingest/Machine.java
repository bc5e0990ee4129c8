package org.correlationstation.bench.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benches note about the machine they share, and the JDK they run on. */
public final class Machine {
    private Machine() {}

    /**
     * The 1, 5 and 15 min load averages: other work on a 2-core machine moves every figure, and the
     * load says how much. Recorded before each measured run.
     */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** This JVM's {@code bin/<tool>} (java, jcmd). */
    public static String jdkTool(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }
}
