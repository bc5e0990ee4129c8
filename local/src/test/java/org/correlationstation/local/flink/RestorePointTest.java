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

    @Test
    void pruningDeletesSnapshotsLeftIncompleteByACrashButNotTheFilesTheKeptOneReferences() throws Exception {
        Path checkpoints = data.resolve("checkpoints");
        Path savepoints = data.resolve("savepoints");
        // kill -9 while a savepoint and checkpoints were being written: folders without _metadata.
        Path partialSavepoint = Files.createDirectories(savepoints.resolve("savepoint-cccccc-3"));
        Files.writeString(partialSavepoint.resolve("op-state"), "x");
        Path partialInOldJob = Files.createDirectories(checkpoints.resolve("job1").resolve("chk-4"));
        Path keep = snapshot(checkpoints.resolve("job2").resolve("chk-9"), 3_000);
        Path partialBesideKeep = Files.createDirectories(checkpoints.resolve("job2").resolve("chk-10"));
        Files.writeString(partialBesideKeep.resolve("op-state"), "x");
        Path shared = Files.writeString(
                Files.createDirectories(checkpoints.resolve("job2").resolve("shared")).resolve("sst-1"), "x");
        Path taskOwned = Files.createDirectories(checkpoints.resolve("job2").resolve("taskowned"));

        RestorePoint.pruneAllBut(keep, checkpoints, savepoints);

        assertThat(partialSavepoint).doesNotExist();
        assertThat(partialInOldJob).doesNotExist();
        assertThat(checkpoints.resolve("job1")).doesNotExist();
        assertThat(partialBesideKeep).doesNotExist();
        assertThat(keep.resolve("_metadata")).exists();
        assertThat(shared).exists();
        assertThat(taskOwned).exists();
    }

    @Test
    void pruningFromASavepointDeletesPartialSavepointsAndEveryJobDirectory() throws Exception {
        Path checkpoints = data.resolve("checkpoints");
        Path savepoints = data.resolve("savepoints");
        Path keep = snapshot(savepoints.resolve("savepoint-aaaaaa-1"), 1_000);
        Path partial = Files.createDirectories(savepoints.resolve("savepoint-bbbbbb-2"));
        Path partialCheckpoint = Files.createDirectories(checkpoints.resolve("job1").resolve("chk-1"));
        Files.createDirectories(checkpoints.resolve("job1").resolve("shared"));

        RestorePoint.pruneAllBut(keep, checkpoints, savepoints);

        assertThat(keep.resolve("_metadata")).exists();
        assertThat(partial).doesNotExist();
        assertThat(partialCheckpoint).doesNotExist();
        assertThat(checkpoints.resolve("job1")).doesNotExist();
    }

    @Test
    void pruningLeavesTheRunningJobsDirectoryAlone() throws Exception {
        Path checkpoints = data.resolve("checkpoints");
        Path savepoints = data.resolve("savepoints");
        Path keep = snapshot(checkpoints.resolve("job1").resolve("chk-5"), 1_000);
        Path stale = snapshot(checkpoints.resolve("job1").resolve("chk-4"), 900);
        // The job just started from chk-5: its first checkpoint is being written.
        Path running = checkpoints.resolve("job2");
        Path inProgress = Files.createDirectories(running.resolve("chk-1"));
        Path runningShared = Files.createDirectories(running.resolve("shared"));
        Path runningTaskOwned = Files.createDirectories(running.resolve("taskowned"));

        RestorePoint.pruneAllBut(keep, checkpoints, savepoints, "job2");

        assertThat(stale).doesNotExist();
        assertThat(keep.resolve("_metadata")).exists();
        assertThat(inProgress).exists();
        assertThat(runningShared).exists();
        assertThat(runningTaskOwned).exists();
    }

    private static Path snapshot(Path dir, long metadataMillis) throws Exception {
        Files.createDirectories(dir);
        Path metadata = Files.writeString(dir.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(metadataMillis));
        return dir;
    }
}
