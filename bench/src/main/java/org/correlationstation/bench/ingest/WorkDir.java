package org.correlationstation.bench.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A bench's scratch directory (process logs, manifests, local mode's DATA_DIR: hundreds of MB after a
 * front-door run): removed after a run that succeeded, kept after one that failed, for its logs.
 */
public final class WorkDir {
    private WorkDir() {}

    public static Path create(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    public static void delete(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }
}
