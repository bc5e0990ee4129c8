package org.correlationstation.local.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorePointTest {
    @TempDir
    Path data;

    @Test
    void theNewestCompleteSnapshotWinsWhetherSavepointOrCheckpoint() throws Exception {
        Path checkpoints = data.resolve("checkpoints");
        Path savepoints = data.resolve("savepoints");
        Path oldSavepoint = snapshot(savepoints.resolve("savepoint-aaaaaa-1"), 1_000);
        Path checkpoint = snapshot(checkpoints.resolve("job1").resolve("chk-7"), 2_000);
        Files.createDirectories(checkpoints.resolve("job1").resolve("chk-8")); // in progress: no _metadata
        Files.createDirectories(checkpoints.resolve("job1").resolve("shared"));

        assertThat(RestorePoint.newest(checkpoints, savepoints)).contains(checkpoint);

        Path newSavepoint = snapshot(savepoints.resolve("savepoint-bbbbbb-2"), 3_000);
        assertThat(RestorePoint.newest(checkpoints, savepoints)).contains(newSavepoint);
        assertThat(oldSavepoint).exists();
    }

    @Test
    void nothingToResumeFromOnAFirstStart() {
        assertThat(RestorePoint.newest(data.resolve("checkpoints"), data.resolve("savepoints"))).isEmpty();
    }

    @Test
    void pruningKeepsOnlyTheSnapshotResumedFrom() throws Exception {
        Path checkpoints = data.resolve("checkpoints");
        Path savepoints = data.resolve("savepoints");
        snapshot(savepoints.resolve("savepoint-aaaaaa-1"), 1_000);
        snapshot(checkpoints.resolve("job1").resolve("chk-3"), 2_000);
        Path keep = snapshot(checkpoints.resolve("job2").resolve("chk-9"), 3_000);
        snapshot(checkpoints.resolve("job2").resolve("chk-8"), 2_500);

        RestorePoint.pruneAllBut(keep, checkpoints, savepoints);

        assertThat(RestorePoint.newest(checkpoints, savepoints)).contains(keep);
        assertThat(checkpoints.resolve("job1")).doesNotExist();
        assertThat(checkpoints.resolve("job2").resolve("chk-8")).doesNotExist();
        assertThat(savepoints.resolve("savepoint-aaaaaa-1")).doesNotExist();
        assertThat(keep.resolve("_metadata")).exists();
    }

    private static Path snapshot(Path dir, long metadataMillis) throws Exception {
        Files.createDirectories(dir);
        Path metadata = Files.writeString(dir.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(metadataMillis));
        return dir;
    }
}
