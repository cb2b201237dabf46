package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

    @TempDir Path dir;

    @Test
    void findsTheNewestCompletedCheckpointAcrossJobs() throws Exception {
        Path old = completed("job-a/chk-7", 1_000);
        Path newest = completed("job-b/chk-2", 5_000);
        Files.createDirectories(dir.resolve("job-b/chk-3")); // in progress: no _metadata yet
        Files.createDirectories(dir.resolve("job-b/shared"));
        assertThat(Checkpoints.latest(dir.toString())).contains(newest);
        assertThat(Checkpoints.latest(dir.toUri().toString())).contains(newest);
        assertThat(old).exists();
    }

    @Test
    void emptyWhenNothingCompleted() throws Exception {
        assertThat(Checkpoints.latest(dir.resolve("missing").toString())).isEmpty();
        Files.createDirectories(dir.resolve("job/chk-1"));
        assertThat(Checkpoints.latest(dir.toString())).isEmpty();
    }

    private Path completed(String relative, long modifiedMillis) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(relative));
        Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMillis));
        return chk;
    }
}
