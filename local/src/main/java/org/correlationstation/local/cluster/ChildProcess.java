package org.correlationstation.local.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One part of the cluster as its own OS process: its output goes to {@code <log dir>/<name>.out}, its
 * pid to {@code <run dir>/<name>.pid}. It runs in a session of its own ({@code setsid}), so a Ctrl-C
 * in the terminal reaches only the supervisor, which then stops the job with a savepoint before it
 * stops the parts: were they in the terminal's process group, they would all stop at once first.
 */
final class ChildProcess {
    /** What to start: a name (pid and log file), the command, extra environment. */
    record Spec(String name, List<String> command, Map<String, String> environment) {}

    private final Spec spec;
    private final Process process;
    private final Path pidFile;

    private ChildProcess(Spec spec, Process process, Path pidFile) {
        this.spec = spec;
        this.process = process;
        this.pidFile = pidFile;
    }

    static ChildProcess start(Spec spec, Path runDir, Path logDir) {
        List<String> command = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) command.add("/usr/bin/setsid");
        command.addAll(spec.command());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(spec.name() + ".out").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(spec.environment());
        try {
            Files.createDirectories(runDir);
            Process process = builder.start();
            Path pidFile = runDir.resolve(spec.name() + ".pid");
            // setsid execs in place (the child is no process-group leader), so this is the part's own pid.
            Path tmp = runDir.resolve(spec.name() + ".pid.tmp");
            Files.writeString(tmp, process.pid() + "\n");
            Files.move(tmp, pidFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new ChildProcess(spec, process, pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + spec.name() + ": " + String.join(" ", command), e);
        }
    }

    String name() {
        return spec.name();
    }

    Spec spec() {
        return spec;
    }

    long pid() {
        return process.pid();
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM, then SIGKILL if it has not ended within {@code graceSeconds}. Removes the pid file. */
    void stop(long graceSeconds) {
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        removePidFile();
    }

    /** SIGKILL at once, without waiting for the exit; removes the pid file. */
    void kill() {
        process.destroyForcibly();
        removePidFile();
    }

    void removePidFile() {
        try {
            // A replacement may have rewritten it already: only our own pid is removed.
            if (Files.isRegularFile(pidFile) && Files.readString(pidFile).trim().equals(Long.toString(pid()))) {
                Files.delete(pidFile);
            }
        } catch (IOException e) {
            // best effort: a stale pid file names a process that is gone
        }
    }
}
