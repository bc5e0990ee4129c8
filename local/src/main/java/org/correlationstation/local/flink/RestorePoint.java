package org.correlationstation.local.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where local mode resumes from: the newest completed snapshot under {@code DATA_DIR}, a savepoint
 * taken at the last clean shutdown ({@code savepoints/savepoint-*}) or a retained checkpoint
 * ({@code checkpoints/<job id>/chk-*}) after a crash. A snapshot is complete when it has its
 * {@code _metadata} file.
 */
public final class RestorePoint {
    private static final String METADATA = "_metadata";

    private RestorePoint() {}

    /** The newest complete snapshot, by the time its metadata was written. */
    public static Optional<Path> newest(Path checkpointsDir, Path savepointsDir) {
        return candidates(checkpointsDir, savepointsDir).stream()
                .max(Comparator.comparingLong(RestorePoint::metadataTime));
    }

    /**
     * Deletes every snapshot but {@code keep} and the job directories left empty by that: each run
     * restores from the newest one and, in Flink's default NO_CLAIM mode, its first checkpoint does not
     * reference the one it restored from, so the older ones are never needed again.
     */
    public static void pruneAllBut(Path keep, Path checkpointsDir, Path savepointsDir) {
        for (Path snapshot : candidates(checkpointsDir, savepointsDir)) {
            if (!snapshot.equals(keep)) deleteRecursively(snapshot);
        }
        if (Files.isDirectory(checkpointsDir)) {
            for (Path jobDir : list(checkpointsDir)) {
                if (!keep.startsWith(jobDir)) deleteRecursively(jobDir);
            }
        }
    }

    private static List<Path> candidates(Path checkpointsDir, Path savepointsDir) {
        List<Path> out = new ArrayList<>();
        for (Path savepoint : list(savepointsDir)) {
            if (Files.isRegularFile(savepoint.resolve(METADATA))) out.add(savepoint);
        }
        for (Path jobDir : list(checkpointsDir)) {
            for (Path chk : list(jobDir)) {
                if (chk.getFileName().toString().startsWith("chk-") && Files.isRegularFile(chk.resolve(METADATA))) {
                    out.add(chk);
                }
            }
        }
        return out;
    }

    private static long metadataTime(Path snapshot) {
        try {
            return Files.getLastModifiedTime(snapshot.resolve(METADATA)).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path path) {
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the old snapshot " + path, e);
        }
    }
}
