package org.correlationstation.local.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where local mode resumes from: the newest completed snapshot under {@code DATA_DIR}, a savepoint
 * taken at the last clean shutdown ({@code savepoints/savepoint-*}) or a retained checkpoint
 * ({@code checkpoints/<job id>/chk-*}) after a crash. A snapshot is complete when it has its
 * {@code _metadata} file; one without it was still being written when its process died.
 */
public final class RestorePoint {
    private static final String METADATA = "_metadata";
    private static final String SAVEPOINT_PREFIX = "savepoint-";
    private static final String CHECKPOINT_PREFIX = "chk-";

    private RestorePoint() {}

    /** The newest complete snapshot, by the time its metadata was written. */
    public static Optional<Path> newest(Path checkpointsDir, Path savepointsDir) {
        return candidates(checkpointsDir, savepointsDir).stream()
                .max(Comparator.comparingLong(RestorePoint::metadataTime));
    }

    /**
     * Deletes every snapshot but {@code keep} and every job directory but {@code keep}'s: each run
     * restores from the newest one and, in Flink's default NO_CLAIM mode, its first checkpoint does
     * not reference the one it restored from, so the older ones are never needed again. Incomplete
     * snapshots go too ({@code savepoint-*} or {@code chk-*} without {@code _metadata}: the process
     * died while writing them), as nothing restores from them. In the job directory holding
     * {@code keep} only its other {@code chk-*} folders are deleted: its {@code shared/} and
     * {@code taskowned/} hold files that an incremental RocksDB checkpoint references.
     *
     * <p>The running job's directory goes too when it exists already;
     * {@link #pruneAllBut(Path, Path, Path, String)} leaves that one alone.
     */
    public static void pruneAllBut(Path keep, Path checkpointsDir, Path savepointsDir) {
        prune(keep, checkpointsDir, savepointsDir, Set.of());
    }

    /**
     * {@link #pruneAllBut(Path, Path, Path)}, but never touching {@code checkpointsDir/runningJobId}:
     * the job that runs now may be writing its first checkpoint there.
     */
    public static void pruneAllBut(Path keep, Path checkpointsDir, Path savepointsDir, String runningJobId) {
        prune(keep, checkpointsDir, savepointsDir, Set.of(checkpointsDir.resolve(runningJobId)));
    }

    private static void prune(Path keep, Path checkpointsDir, Path savepointsDir, Set<Path> untouched) {
        for (Path savepoint : list(savepointsDir)) {
            boolean snapshot = isComplete(savepoint) || isSnapshot(savepoint, SAVEPOINT_PREFIX);
            if (snapshot && !savepoint.equals(keep)) deleteRecursively(savepoint);
        }
        for (Path jobDir : list(checkpointsDir)) {
            if (untouched.contains(jobDir)) continue;
            if (!keep.startsWith(jobDir)) {
                deleteRecursively(jobDir);
                continue;
            }
            for (Path chk : list(jobDir)) {
                if (!chk.equals(keep) && isSnapshot(chk, CHECKPOINT_PREFIX)) deleteRecursively(chk);
            }
        }
    }

    private static List<Path> candidates(Path checkpointsDir, Path savepointsDir) {
        List<Path> out = new ArrayList<>();
        for (Path savepoint : list(savepointsDir)) {
            if (isComplete(savepoint)) out.add(savepoint);
        }
        for (Path jobDir : list(checkpointsDir)) {
            for (Path chk : list(jobDir)) {
                if (isSnapshot(chk, CHECKPOINT_PREFIX) && isComplete(chk)) out.add(chk);
            }
        }
        return out;
    }

    private static boolean isSnapshot(Path dir, String prefix) {
        return dir.getFileName().toString().startsWith(prefix);
    }

    private static boolean isComplete(Path snapshot) {
        return Files.isRegularFile(snapshot.resolve(METADATA));
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
