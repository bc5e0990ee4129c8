package org.correlationstation.job.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A command-line tool a deployment check runs (promtool, docker-compose). A missing tool skips the
 * test with the reason, except under {@code CI=true}, where it fails: CI must not pass by skipping
 * (SPEC §10; `bin/correlation-station test` installs the tools).
 */
final class ExternalTool {
    /** What a run printed (stdout and stderr together) and how it ended. */
    record Result(int exitCode, String output) {}

    private final Path binary;

    private ExternalTool(Path binary) {
        this.binary = binary;
    }

    static ExternalTool require(String name, String aptPackage) {
        Optional<Path> found = find(name);
        if (found.isEmpty()) {
            String reason = name + " is not installed (apt-get install -y " + aptPackage
                    + ", or run ./bin/correlation-station test, which installs it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail(reason);
            Assumptions.abort(reason);
        }
        return new ExternalTool(found.get());
    }

    static Optional<Path> find(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin"));
        return dirs.stream()
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Runs the tool in {@code workDir}; fails the test when it does not finish within two minutes. */
    Result run(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            Assertions.fail(command + " did not finish within 2 minutes");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
