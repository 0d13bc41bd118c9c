package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused per-shard stages ({@link EncodeShards}, the default) write exactly the rows of the
 * separate AudioIO → Features → Inference steps, with small shards so several model instances
 * (one per runner thread) share the work.
 */
class FusedStagesTest {

  @Test
  void fusedAndSeparateStagesWriteTheSameRows(@TempDir Path dir) {
    Path wav = SharedCorpus.audio("humpback/glacier-bay-humpback.wav");
    List<EncodingPipeline.Input> inputs = List.of(new EncodingPipeline.Input("wav", wav.toString(), "w".repeat(64)));

    Path fusedRoot = dir.resolve("fused");
    EncodingOptions fused = EncodingPipeline.options("direct", null, 3, true);
    fused.setMaxShardSeconds(9.0);
    EncodingPipeline.Result f = EncodingPipeline.run(fused, EncodingPipelineTest.spec(fusedRoot, Map.of()), inputs,
        fusedRoot.resolve("run"));

    Path separateRoot = dir.resolve("separate");
    EncodingOptions separate = EncodingPipeline.options("direct", null, 2, true);
    separate.setFuseStages(false);
    EncodingPipeline.Result s = EncodingPipeline.run(separate, EncodingPipelineTest.spec(separateRoot, Map.of()), inputs,
        separateRoot.resolve("run"));

    assertEquals(PipelineResult.State.DONE, f.state());
    assertEquals(PipelineResult.State.DONE, s.state());
    assertTrue(f.allOk(), f.files().toString());
    assertTrue(s.allOk(), s.files().toString());
    EmbeddingParquet.Contents a = EmbeddingParquet.read(Path.of(f.files().get(0).parquetPath()));
    EmbeddingParquet.Contents b = EmbeddingParquet.read(Path.of(s.files().get(0).parquetPath()));
    assertTrue(a.rows().size() > 20, "a clip long enough for several 9-s shards: " + a.rows().size());
    // Progress as a remote worker reports it: one file per shard in the run folder, summing to the rows.
    String marker = EncodingPipeline.cancelMarker(fusedRoot.resolve("run"));
    assertEquals(a.rows().size(), ShardProgress.total(marker));
    try (var shardFiles = Files.list(ShardProgress.dir(marker))) {
      assertTrue(shardFiles.count() > 1, "one progress file per shard");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertEquals(b.rows().size(), a.rows().size());
    for (int k = 0; k < a.rows().size(); k++) {
      assertEquals(b.rows().get(k).rowIndex(), a.rows().get(k).rowIndex());
      assertEquals(b.rows().get(k).startS(), a.rows().get(k).startS());
      assertEquals(b.rows().get(k).endS(), a.rows().get(k).endS());
      assertArrayEquals(b.rows().get(k).embedding(), a.rows().get(k).embedding(), "row " + k + " (exactly equal)");
    }
  }

  @Test
  void aFileWhoseOutputCannotBeWrittenFailsWithReasonWriteAndTheOtherFileIsWritten(@TempDir Path dir) throws Exception {
    Path wav = SharedCorpus.audio("humpback/HB-ship-SBNMS.wav");
    Path root = dir.resolve("out");
    EncodingSpec spec = EncodingPipelineTest.spec(root, Map.of());
    // Where "blocked"'s folder should go there is a file: its parts cannot be written.
    Path blockedDir = spec.parquetPath("blocked").getParent();
    Files.createDirectories(blockedDir.getParent());
    Files.writeString(blockedDir, "not a folder");
    EncodingPipeline.Result r = EncodingPipeline.run(EncodingPipeline.options("direct", null, 2, true), spec,
        List.of(new EncodingPipeline.Input("blocked", wav.toString(), "b".repeat(64)),
            new EncodingPipeline.Input("fine", wav.toString(), "f".repeat(64))),
        root.resolve("run"));
    assertEquals("write", r.files().get(0).errorReason(), r.files().toString());
    assertTrue(r.files().get(0).errorMessage().contains("blocked"), r.files().get(0).errorMessage());
    assertTrue(r.files().get(1).isOk(), r.files().toString());
    assertEquals(EncodingPipelineTest.expectedWindows(wav), r.files().get(1).windows());
    assertFalse(Files.exists(EmbeddingPart.dir(spec.parquetPath("fine"))), "parts removed after the join");
  }

  @Test
  void stagesAreFusedByDefaultWithOneModelThreadPerInstance() {
    EncodingOptions o = EncodingPipeline.options("direct", null, null, false);
    assertTrue(o.getFuseStages());
    assertEquals(1, Stages.modelThreads(o));
    o.setModelThreads(4);
    assertEquals(4, Stages.modelThreads(o));
    assertEquals(Runtime.getRuntime().availableProcessors(), o.getTargetParallelism(), "one worker thread per core");
  }

  @Test
  void shardLengthIsASixteenthOfTheFileBetween30SecondsAndTheMaximum() {
    assertEquals(300.0, EncodingPipeline.shardSeconds(6 * 3600, 300));
    assertEquals(57.0, EncodingPipeline.shardSeconds(900, 300));
    assertEquals(30.0, EncodingPipeline.shardSeconds(65, 300));
    assertEquals(300.0, EncodingPipeline.shardSeconds(Double.NaN, 300));
    assertEquals(7.0, EncodingPipeline.shardSeconds(3600, 7), "never longer than the configured maximum");
  }

  @Test
  void shardProgressFilesSumPerShardAndARetriedShardStartsAgain(@TempDir Path dir) {
    String marker = EncodingPipeline.cancelMarker(dir.resolve("run"));
    assertEquals(0, ShardProgress.total(marker), "no progress folder yet");
    ShardProgress.Writer first = new ShardProgress.Writer(marker, "file/a", 0);
    first.add(16);
    first.add(16); // within the write interval: not on disk yet
    assertEquals(0, ShardProgress.total(marker));
    first.flush();
    ShardProgress.Writer second = new ShardProgress.Writer(marker, "file/a", 300);
    second.add(5);
    second.flush();
    assertEquals(37, ShardProgress.total(marker));
    ShardProgress.Writer retry = new ShardProgress.Writer(marker, "file/a", 0); // the first shard, run again
    retry.add(8);
    retry.flush();
    assertEquals(13, ShardProgress.total(marker), "a retried shard replaces its count, never adds to it");
    new ShardProgress.Writer(null, "x", 0).flush(); // no run folder: nothing to write, no error
  }

  @Test
  void liveProgressAddsPerRunAndForgetsAtTheEnd() {
    LiveProgress.add("run-a", 16);
    LiveProgress.add("run-a", 5);
    LiveProgress.add("run-b", 3);
    LiveProgress.add(null, 7);
    assertEquals(21, LiveProgress.get("run-a"));
    assertEquals(3, LiveProgress.get("run-b"));
    LiveProgress.forget("run-a");
    assertEquals(0, LiveProgress.get("run-a"));
    LiveProgress.forget("run-b");
  }
}
