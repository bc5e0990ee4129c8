package org.correlationstation.bench.ingest;

import java.io.IOException;
import java.nio.file.Path;

/**
 * async-profiler loaded into a running JVM with {@code jcmd <pid> JVMTI.agent_load}, so that a profile
 * covers a measured run alone, not the JVM's start and warm-up (bench/e2e.sh's {@code --asprof} starts it
 * with the JVM instead). The library comes from the Pyroscope agent jar the job already depends on
 * (the scripts extract it). CPU samples every 10 ms, per thread, written as collapsed stacks for
 * {@code bench/asprof-top.sh}.
 */
public record AsyncProfiler(String library) {

    public void start(long pid) throws IOException, InterruptedException {
        command(pid, "start,event=cpu,interval=10ms,threads");
    }

    public void stop(long pid, Path collapsed) throws IOException, InterruptedException {
        command(pid, "stop,collapsed,file=" + collapsed);
    }

    private void command(long pid, String command) throws IOException, InterruptedException {
        // Quoted: jcmd would read "start,event=cpu,…" as an option named "start,event" otherwise.
        Process jcmd = new ProcessBuilder(Machine.jdkTool("jcmd"),
                Long.toString(pid), "JVMTI.agent_load", library, '"' + command + '"').redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        // The agent's own errors go to the target's output; jcmd says "return code: 0" when it took the command.
        if (jcmd.waitFor() != 0 || !out.contains("return code: 0")) {
            throw new IllegalStateException("jcmd " + pid + " JVMTI.agent_load " + command + " failed (see also the process's log): " + out);
        }
    }
}
